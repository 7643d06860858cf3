package io.sessionlake.session;

import java.util.Arrays;

/**
 * The ids of one dedupe window leaf with the minutes of their events, in the sorted arrays the leaf is stored as,
 * looked up by binary search. Read-only: a run's new ids go to its own generation ({@link DedupeWindow#added}).
 */
final class SeenIds {
    private final long[] ids;
    private final int[] minutes;
    private final int count;

    /** @param ids strictly increasing in their first {@code count} places, with the minutes at the same places */
    SeenIds(long[] ids, int[] minutes, int count) {
        this.ids = ids;
        this.minutes = minutes;
        this.count = count;
    }

    /** The minute of {@code id}, or {@link DedupeWindow#NOT_HELD}. */
    long minuteOf(long id) {
        int i = Arrays.binarySearch(ids, 0, count, id);
        return i >= 0 ? minutes[i] : DedupeWindow.NOT_HELD;
    }

    /** The ids in order in the first {@link #count} places (the array may be longer). */
    long[] ids() {
        return ids;
    }

    /** Their minutes, at the same places. */
    int[] minutes() {
        return minutes;
    }

    int count() {
        return count;
    }
}
