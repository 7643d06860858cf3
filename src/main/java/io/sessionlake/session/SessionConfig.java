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

    public long inactivityMicros() {
        return inactivity.toNanos() / 1000;
    }

    public long horizonMicros() {
        return horizon.toNanos() / 1000;
    }
}
