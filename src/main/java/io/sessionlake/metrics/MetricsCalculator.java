package io.sessionlake.metrics;

import io.sessionlake.session.LongIntMap;
import io.sessionlake.session.SessionState;
import io.sessionlake.session.StateAggregates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongToDoubleFunction;

/**
 * Computes {@link OrderMetrics} from the state's aggregates alone (every customer's finalized summary and open
 * sessions, summed as counts of equal values), never a rescan of history nor a read of every customer. Durations
 * stay integer microseconds until the last step, so that sums are exact and the figures equal those of sorting
 * every value.
 */
public final class MetricsCalculator {

    private MetricsCalculator() {
    }

    public static OrderMetrics compute(SessionState state) {
        StateAggregates a = state.aggregates();
        Counted visits = Counted.of(a.visitsBeforeOrder(), v -> v);
        Counted durations = Counted.of(a.durationsBeforeOrder(), MetricsCalculator::minutesOf);
        Counted totals = Counted.of(a.totalsBeforeOrder(), MetricsCalculator::minutesOf);
        List<ReferrerDurations> byHost = new ArrayList<>();
        for (Map.Entry<String, LongIntMap> e : a.durationsByHost().entrySet()) {
            Counted minutes = Counted.of(e.getValue(), MetricsCalculator::minutesOf);
            if (minutes.size() == 0) {
                continue; // every session of this host merged into others
            }
            byHost.add(new ReferrerDurations(e.getKey().equals(SessionState.NO_REFERRER) ? null : e.getKey(),
                    minutes.size(), PublishedMinutes.rounded(Percentiles.median(minutes)),
                    PublishedMinutes.rounded(Percentiles.continuous(minutes, 0.9))));
        }
        return new OrderMetrics(a.customers(), a.sessions(), visits.size(), Percentiles.median(visits), visits.size(),
                PublishedMinutes.rounded(Percentiles.median(durations)), durations.size(),
                PublishedMinutes.rounded(Percentiles.median(totals)), byHost, state.watermark());
    }

    /** Same arithmetic as the Athena views: seconds = micros / 1e6, minutes = seconds / 60. */
    static double minutesOf(long micros) {
        return (micros / 1_000_000.0) / 60.0;
    }

    /**
     * A multiset kept as counts of equal values, read by rank as if it were the sorted array of every value: the
     * distinct values in order and how many come up to each.
     */
    private static final class Counted implements Percentiles.Ranked {
        private final double[] values;
        private final long[] upTo;

        private Counted(double[] values, long[] upTo) {
            this.values = values;
            this.upTo = upTo;
        }

        static Counted of(LongIntMap counts, LongToDoubleFunction asDouble) {
            long[] keys = counts.sortedKeys();
            double[] values = new double[keys.length];
            long[] upTo = new long[keys.length];
            int n = 0;
            long total = 0;
            for (long k : keys) {
                int c = counts.get(k, 0);
                if (c > 0) {
                    total += c;
                    values[n] = asDouble.applyAsDouble(k);
                    upTo[n++] = total;
                }
            }
            return new Counted(Arrays.copyOf(values, n), Arrays.copyOf(upTo, n));
        }

        @Override
        public int size() {
            return upTo.length == 0 ? 0 : Math.toIntExact(upTo[upTo.length - 1]);
        }

        @Override
        public double at(int rank) {
            int i = Arrays.binarySearch(upTo, rank + 1L);
            return values[i >= 0 ? i : -i - 1];
        }
    }
}
