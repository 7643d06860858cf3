package io.sessionlake.metrics;

/**
 * The two order statistics the metrics use, written so that the Athena views can repeat them exactly:
 * the median is the middle value or the mean of the two middle values; other percentiles interpolate
 * linearly between the closest ranks (like percentile_cont). Both return null for no values.
 */
public final class Percentiles {
    private Percentiles() {
    }

    /** @param sorted ascending values */
    public static Double median(double[] sorted) {
        int n = sorted.length;
        if (n == 0) {
            return null;
        }
        if (n % 2 == 1) {
            return sorted[n / 2];
        }
        return (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    /** @param sorted ascending values; @param fraction in [0, 1] */
    public static Double continuous(double[] sorted, double fraction) {
        int n = sorted.length;
        if (n == 0) {
            return null;
        }
        double position = fraction * (n - 1);
        int lower = (int) Math.floor(position);
        if (lower >= n - 1) {
            return sorted[n - 1];
        }
        double weight = position - lower;
        return sorted[lower] + weight * (sorted[lower + 1] - sorted[lower]);
    }
}
