package io.sessionlake.metrics;

import io.sessionlake.session.CustomerHistory;
import io.sessionlake.session.LongIntMap;
import io.sessionlake.session.SessionState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Computes {@link OrderMetrics} from the state alone: finalized summaries plus open sessions, never a
 * rescan of history. Durations are kept in integer microseconds until the last step so that sums are exact.
 */
public final class MetricsCalculator {

    private MetricsCalculator() {
    }

    public static OrderMetrics compute(SessionState state) {
        long customers = 0;
        long sessions = 0;
        long[] visits = new long[16];
        int purchasing = 0;
        LongList durationsBefore = new LongList();
        LongList totalsBefore = new LongList();
        // looked up once per open session: hashed while counting, sorted once for the figures
        Map<String, LongIntMap> byHost = new HashMap<>();
        state.finalizedDurationsByHost().forEach((host, counts) -> {
            LongIntMap copy = new LongIntMap(Math.max(16, counts.size()));
            counts.forEach(copy::put);
            byHost.put(host, copy);
        });

        for (CustomerHistory c : state.customers()) {
            int open = c.openSessionCount();
            int total = c.finalized().sessions() + open;
            if (total == 0) {
                continue;
            }
            customers++;
            sessions += total;
            for (int i = 0; i < open; i++) {
                String host = c.openReferrerHost(i);
                byHost.computeIfAbsent(host == null ? SessionState.NO_REFERRER : host, h -> new LongIntMap())
                        .add(c.openDurationMicros(i), 1);
            }
            int before = sessionsBeforeFirstOrder(c);
            if (before < 0) {
                continue;
            }
            if (purchasing == visits.length) {
                visits = Arrays.copyOf(visits, visits.length * 2);
            }
            visits[purchasing++] = before;
            long sum = 0;
            for (long d : c.finalized().durationsBeforePurchase()) {
                durationsBefore.add(d);
                sum += d;
            }
            for (int i = 0; i < before - c.finalized().durationsBeforePurchase().length; i++) {
                durationsBefore.add(c.openDurationMicros(i));
                sum += c.openDurationMicros(i);
            }
            totalsBefore.add(sum);
        }

        double[] visitValues = new double[purchasing];
        long[] sortedVisits = Arrays.copyOf(visits, purchasing);
        Arrays.sort(sortedVisits);
        for (int i = 0; i < purchasing; i++) {
            visitValues[i] = sortedVisits[i];
        }
        return new OrderMetrics(customers, sessions, purchasing,
                Percentiles.median(visitValues), purchasing,
                PublishedMinutes.rounded(Percentiles.median(minutesSorted(durationsBefore))), durationsBefore.size,
                PublishedMinutes.rounded(Percentiles.median(minutesSorted(totalsBefore))),
                referrerFigures(new TreeMap<>(byHost)), state.watermark());
    }

    /**
     * How many sessions the customer had before their first purchase session: the finalized ones, then
     * the open ones up to the first with an order; -1 when there is no purchase yet.
     */
    private static int sessionsBeforeFirstOrder(CustomerHistory c) {
        int finalizedBefore = c.finalized().durationsBeforePurchase().length;
        if (c.finalized().purchased()) {
            return finalizedBefore;
        }
        for (int i = 0; i < c.openSessionCount(); i++) {
            if (c.openHasOrder(i)) {
                return finalizedBefore + i;
            }
        }
        return -1;
    }

    private static List<ReferrerDurations> referrerFigures(Map<String, LongIntMap> byHost) {
        List<ReferrerDurations> out = new ArrayList<>();
        byHost.forEach((host, counts) -> {
            LongList expanded = new LongList();
            counts.forEach((duration, count) -> {
                for (long i = 0; i < count; i++) {
                    expanded.add(duration);
                }
            });
            double[] minutes = minutesSorted(expanded);
            out.add(new ReferrerDurations(host.equals(SessionState.NO_REFERRER) ? null : host, minutes.length,
                    PublishedMinutes.rounded(Percentiles.median(minutes)),
                    PublishedMinutes.rounded(Percentiles.continuous(minutes, 0.9))));
        });
        return out;
    }

    /** Same arithmetic as the Athena views: seconds = micros / 1e6, minutes = seconds / 60. */
    static double minutesOf(long micros) {
        return (micros / 1_000_000.0) / 60.0;
    }

    private static double[] minutesSorted(LongList micros) {
        long[] sorted = Arrays.copyOf(micros.values, micros.size);
        Arrays.sort(sorted);
        double[] minutes = new double[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            minutes[i] = minutesOf(sorted[i]);
        }
        return minutes;
    }

    /** Growable primitive list; sessions before an order can be many across all customers. */
    private static final class LongList {
        long[] values = new long[8];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }
}
