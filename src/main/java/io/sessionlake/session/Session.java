package io.sessionlake.session;

import io.sessionlake.feed.Timestamps;
import java.time.LocalDate;

/** The current content of one session: one row of SPEC 6 without revision bookkeeping. */
public record Session(
        String sessionId,
        long customerId,
        long startMicros,
        long endMicros,
        int eventCount,
        int pageViewCount,
        int searchCount,
        int addToCartCount,
        int removeFromCartCount,
        int orderCount,
        String landingPage,
        String referrer,
        String referrerHost,
        String userAgent,
        String ip,
        int sessionNumber) {

    public long durationMicros() {
        return endMicros - startMicros;
    }

    /** Seconds as a double, computed once here so that Parquet, metrics and SQL see the same value. */
    public double durationSeconds() {
        return durationMicros() / 1_000_000.0;
    }

    public boolean hasOrder() {
        return orderCount > 0;
    }

    /** The dt= partition a session's revisions go to: the UTC date of its start, which never changes for an id. */
    public LocalDate startDate() {
        return Timestamps.utcDate(startMicros);
    }
}
