package io.sessionlake.feed;

/**
 * What the parser made of one non-blank line: an event, an anonymous event (no customer), or a rejection.
 * Exactly one of {@code event} and {@code rejection} is set unless the line is anonymous.
 */
public record ParsedLine(Event event, boolean anonymous, RejectReason rejection, String detail) {

    public static ParsedLine accepted(Event event) {
        return new ParsedLine(event, false, null, null);
    }

    public static ParsedLine anonymousLine() {
        return new ParsedLine(null, true, null, null);
    }

    public static ParsedLine rejected(RejectReason reason, String detail) {
        return new ParsedLine(null, false, reason, detail);
    }

    public boolean isRejected() {
        return rejection != null;
    }
}
