package io.sessionlake.metrics;

/**
 * The two order statistics the metrics use, written so that the Athena views can repeat them exactly:
 * the median is the middle value or the mean of the two middle values; other percentiles interpolate
 * linearly between the closest ranks (like percentile_cont). Both return null for no values.
 */
public final class Percentiles {
    private Percentiles() {
    }

    /** Ascending values read by rank, without holding each one: the metrics keep counts of equal values. */
    public interface Ranked {
        int size();

        double at(int rank);
    }

    /** @param sorted ascending values */
    public static Double median(double[] sorted) {
        return median(ranked(sorted));
    }

    /** @param sorted ascending values; @param fraction in [0, 1] */
    public static Double continuous(double[] sorted, double fraction) {
        return continuous(ranked(sorted), fraction);
    }

    public static Double median(Ranked sorted) {
        int n = sorted.size();
        if (n == 0) {
            return null;
        }
        if (n % 2 == 1) {
            return sorted.at(n / 2);
        }
        return (sorted.at(n / 2 - 1) + sorted.at(n / 2)) / 2.0;
    }

    public static Double continuous(Ranked sorted, double fraction) {
        int n = sorted.size();
        if (n == 0) {
            return null;
        }
        double position = fraction * (n - 1);
        int lower = (int) Math.floor(position);
        if (lower >= n - 1) {
            return sorted.at(n - 1);
        }
        double weight = position - lower;
        return sorted.at(lower) + weight * (sorted.at(lower + 1) - sorted.at(lower));
    }

    private static Ranked ranked(double[] sorted) {
        return new Ranked() {
            @Override
            public int size() {
                return sorted.length;
            }

            @Override
            public double at(int rank) {
                return sorted[rank];
            }
        };
    }
}
