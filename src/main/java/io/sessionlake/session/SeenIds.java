package io.sessionlake.session;

import java.util.Arrays;

/**
 * One leaf of the dedupe window: event ids with the minute of their event. The ids as read stay in the sorted arrays
 * the leaf is stored as (looked up by binary search); the ids a run adds go to a small map beside them, merged in once
 * when the run ends ({@link #retainMinutesAtLeast}). A run's thousand ids may land in every leaf of a day (the feed
 * numbers events per customer, not in time order), so a run reads and writes tens of thousands of ids per id it
 * adds: read into a hash map and sorted again to be written, they cost a run more than everything else it did.
 */
final class SeenIds {
    private long[] ids;
    private int[] minutes;
    private int count;
    /** Ids added by this run, or read ones whose minute it moved (an id seen again after it left the window). */
    private LongIntMap added = new LongIntMap(16);

    SeenIds() {
        this(new long[0], new int[0], 0);
    }

    /** @param ids strictly increasing in their first {@code count} places, with the minutes at the same places */
    SeenIds(long[] ids, int[] minutes, int count) {
        this.ids = ids;
        this.minutes = minutes;
        this.count = count;
    }

    /** The window of a state converted from the single-object format, held whole. */
    static SeenIds of(LongIntMap window) {
        long[] sorted = window.sortedKeys();
        return new SeenIds(sorted, window.valuesOf(sorted, sorted.length), sorted.length);
    }

    /**
     * Records {@code id} at {@code minute} unless it is held at a minute of at least {@code floor} (a duplicate);
     * an entry older than the floor is out of the window and is replaced. @return whether it was recorded
     */
    boolean putUnlessAtLeast(long id, int minute, int floor) {
        if (added.containsKey(id)) {
            return added.putUnlessAtLeast(id, minute, floor);
        }
        int i = Arrays.binarySearch(ids, 0, count, id);
        if (i >= 0 && minutes[i] >= floor) {
            return false;
        }
        added.put(id, minute);
        return true;
    }

    /** The minute of {@code id}, or {@code missing} when it is not held. */
    int minuteOf(long id, int missing) {
        if (added.containsKey(id)) {
            return added.get(id, missing);
        }
        int i = Arrays.binarySearch(ids, 0, count, id);
        return i >= 0 ? minutes[i] : missing;
    }

    /**
     * Merges the added ids in and drops those whose minute is below {@code floor}: one pass over both, in id order,
     * into the arrays the leaf is written from.
     */
    void retainMinutesAtLeast(int floor) {
        if (added.size() > 0 || anyMinuteBelow(floor)) {
            merge(floor);
        }
    }

    /** Merges the added ids in, dropping none (a run that ended without the window's cut, as a converted state). */
    void mergeAdded() {
        if (added.size() > 0) {
            merge(Integer.MIN_VALUE);
        }
    }

    private void merge(int floor) {
        long[] more = added.sortedKeys();
        long[] mergedIds = new long[count + more.length];
        int[] mergedMinutes = new int[mergedIds.length];
        int n = 0;
        int a = 0;
        for (int i = 0; i < count || a < more.length; ) {
            long id;
            int minute;
            if (a < more.length && (i >= count || more[a] <= ids[i])) {
                id = more[a];
                minute = added.get(id, 0);
                if (i < count && ids[i] == id) {
                    i++; // moved by this run: its minute now
                }
                a++;
            } else {
                id = ids[i];
                minute = minutes[i];
                i++;
            }
            if (minute >= floor) {
                mergedIds[n] = id;
                mergedMinutes[n] = minute;
                n++;
            }
        }
        ids = mergedIds;
        minutes = mergedMinutes;
        count = n;
        added = new LongIntMap(16);
    }

    private boolean anyMinuteBelow(int floor) {
        for (int i = 0; i < count; i++) {
            if (minutes[i] < floor) {
                return true;
            }
        }
        return false;
    }

    /** Ids held, added ones included. */
    int size() {
        int n = count;
        for (long id : added.sortedKeys()) {
            n += Arrays.binarySearch(ids, 0, count, id) >= 0 ? 0 : 1;
        }
        return n;
    }

    /**
     * After {@link #retainMinutesAtLeast} or {@link #mergeAdded}: the ids in order in the first {@link #mergedCount}
     * places (the array may be longer), and their minutes at the same places.
     */
    long[] sortedIds() {
        requireMerged();
        return ids;
    }

    int[] minutesByPlace() {
        requireMerged();
        return minutes;
    }

    /** How many of {@link #sortedIds} are held. */
    int mergedCount() {
        requireMerged();
        return count;
    }

    private void requireMerged() {
        if (added.size() > 0) {
            throw new IllegalStateException("ids added since the window was merged");
        }
    }
}
