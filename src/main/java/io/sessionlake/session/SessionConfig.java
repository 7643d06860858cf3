package io.sessionlake.session;

import java.time.Duration;

/**
 * The two numbers that define sessions and how long history stays revisable (SPEC 3-4).
 * Both are stored in the state: a run with other values would mix two definitions, so it is refused.
 */
public record SessionConfig(Duration inactivity, Duration horizon) {
    public static final SessionConfig DEFAULT = new SessionConfig(Duration.ofMinutes(30), Duration.ofDays(7));

    public SessionConfig {
        if (inactivity.isNegative() || inactivity.isZero()) {
            throw new IllegalArgumentException("inactivity timeout must be positive, got " + inactivity);
        }
        if (horizon.isNegative()) {
            throw new IllegalArgumentException("lateness horizon must not be negative, got " + horizon);
        }
    }

    /** ISO-8601 as people write it: P7D rather than java.time's PT168H. */
    public static String iso(Duration d) {
        if (!d.isZero() && d.toNanos() % Duration.ofDays(1).toNanos() == 0) {
            return "P" + d.toDays() + "D";
        }
        return d.toString();
    }

    public String inactivityText() {
        return iso(inactivity);
    }

    public String horizonText() {
        return iso(horizon);
    }

    public long inactivityMicros() {
        return inactivity.toNanos() / 1000;
    }

    public long horizonMicros() {
        return horizon.toNanos() / 1000;
    }
}
