package io.sessionlake.metrics;

import java.util.List;

/**
 * The metrics of SPEC 5 with the counts behind each median. Durations are in minutes; a metric over
 * no values is null.
 */
public record OrderMetrics(
        long customers,
        long sessions,
        long purchasingCustomers,
        Double medianVisitsBeforeOrder,
        long customersMeasured,
        Double medianSessionDurationMinutesBeforeOrder,
        long sessionsBeforeOrder,
        Double medianTotalMinutesBeforeOrder,
        List<ReferrerDurations> byReferrerHost,
        long watermarkMicros) {
}
