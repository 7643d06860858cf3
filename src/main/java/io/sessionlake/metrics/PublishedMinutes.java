package io.sessionlake.metrics;

/**
 * Minutes as the metrics publish them: computed exactly, rounded once at the end to 0.01 minute (§5), so
 * that 43.19999999999999 reads 43.2. The Athena views round with the same arithmetic,
 * {@code floor(m * 100e0 + 5e-1) / 100e0}, so they still equal the metrics object to the last bit.
 */
public final class PublishedMinutes {
    private PublishedMinutes() {
    }

    /** @return the minutes rounded half up to hundredths, or null for a metric over no values */
    public static Double rounded(Double minutes) {
        return minutes == null ? null : Math.floor(minutes * 100.0 + 0.5) / 100.0;
    }
}
