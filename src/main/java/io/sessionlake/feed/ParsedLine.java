package io.sessionlake.feed;

/**
 * What the parser made of one non-blank line: an event, an anonymous event (no customer), or a rejection.
 * An accepted line is its {@link Event} itself: no wrapper object per line of a feed of millions.
 */
public sealed interface ParsedLine permits Event, ParsedLine.Anonymous, ParsedLine.Rejected,
        ParsedLine.TooLong {

    /** The event of an accepted line; null otherwise. */
    default Event event() {
        return null;
    }

    default boolean anonymous() {
        return false;
    }

    /** The reason code of a rejected line; null otherwise. */
    default RejectReason rejection() {
        return null;
    }

    default String detail() {
        return null;
    }

    default boolean isRejected() {
        return rejection() != null;
    }

    static ParsedLine accepted(Event event) {
        return event;
    }

    static ParsedLine anonymousLine() {
        return Anonymous.LINE;
    }

    static ParsedLine rejected(RejectReason reason, String detail) {
        return new Rejected(reason, detail);
    }

    static ParsedLine tooLong(long lineBytes, int maxLineBytes) {
        return new TooLong(lineBytes, maxLineBytes);
    }

    /** A valid event without a customer: counted, not sessionized (SPEC 2). */
    enum Anonymous implements ParsedLine {
        LINE;

        @Override
        public boolean anonymous() {
            return true;
        }
    }

    record Rejected(RejectReason rejection, String detail) implements ParsedLine {
    }

    /** A line longer than the limit: rejected without ever being held whole; only its first bytes are kept. */
    record TooLong(long lineBytes, int maxLineBytes) implements ParsedLine {
        @Override
        public RejectReason rejection() {
            return RejectReason.LINE_TOO_LONG;
        }

        @Override
        public String detail() {
            return "line of " + lineBytes + " bytes exceeds the limit of " + maxLineBytes
                    + " bytes; only its first bytes are kept";
        }
    }
}
