package io.sessionlake.metrics;

import io.sessionlake.session.CustomerHistory;
import io.sessionlake.session.LongIntMap;
import io.sessionlake.session.Session;
import io.sessionlake.session.SessionState;
import java.util.ArrayList;
import java.util.Arrays;
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
        Map<String, LongIntMap> byHost = new TreeMap<>();
        state.finalizedDurationsByHost().forEach((host, counts) -> {
            LongIntMap copy = new LongIntMap(Math.max(16, counts.size()));
            counts.forEach(copy::put);
            byHost.put(host, copy);
        });

        for (CustomerHistory c : state.customers()) {
            List<Session> open = c.currentOpenSessions();
            int total = c.finalized().sessions() + open.size();
            if (total == 0) {
                continue;
            }
            customers++;
            sessions += total;
            for (Session s : open) {
                String host = s.referrerHost() == null ? SessionState.NO_REFERRER : s.referrerHost();
                byHost.computeIfAbsent(host, h -> new LongIntMap()).add(s.durationMicros(), 1);
            }
            PreOrder pre = preOrder(c, open);
            if (pre == null) {
                continue;
            }
            if (purchasing == visits.length) {
                visits = Arrays.copyOf(visits, visits.length * 2);
            }
            visits[purchasing++] = pre.durations.size;
            long sum = 0;
            for (int i = 0; i < pre.durations.size; i++) {
                durationsBefore.add(pre.durations.values[i]);
                sum += pre.durations.values[i];
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
                Percentiles.median(minutesSorted(durationsBefore)), durationsBefore.size,
                Percentiles.median(minutesSorted(totalsBefore)),
                referrerFigures(byHost), state.watermark());
    }

    /** The sessions before the customer's first purchase session, or null when there is none yet. */
    private static PreOrder preOrder(CustomerHistory c, List<Session> open) {
        LongList durations = new LongList();
        for (long d : c.finalized().durationsBeforePurchase()) {
            durations.add(d);
        }
        if (c.finalized().purchased()) {
            return new PreOrder(durations);
        }
        for (Session s : open) {
            if (s.hasOrder()) {
                return new PreOrder(durations);
            }
            durations.add(s.durationMicros());
        }
        return null;
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
                    Percentiles.median(minutes), Percentiles.continuous(minutes, 0.9)));
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

    private record PreOrder(LongList durations) {
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
