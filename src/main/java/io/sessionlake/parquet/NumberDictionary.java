package io.sessionlake.parquet;

import java.util.Arrays;

/**
 * The distinct values of a number column in one row group, in first-seen order, and each row's id among
 * them: customers, minutes, counts and revisions repeat, and a page of small ids is a fraction of the
 * plain values for Snappy to work through and for readers to scan. Built again for every row group
 * into the same arrays. Columns whose values hardly repeat (event ids, times with microseconds) are
 * told apart on the first rows and stay plain.
 */
final class NumberDictionary {
    /** After this many values, more than half of them distinct means a dictionary will not pay. */
    private static final int SAMPLE = 4096;
    private static final long MIX = 0x9E3779B97F4A7C15L;

    int size;
    long[] distinct = new long[64];
    /** Per row, its value's index in {@link #distinct}; unset for null rows. */
    int[] ids = new int[0];
    private long[] keys = new long[0];
    /** Per slot, the id of its key plus one; 0 for an empty slot. */
    private int[] slotIds = new int[0];
    private int[] filled = new int[0];
    private int filledCount;
    private int shift;

    /** @return false when the values are too varied (the column is then written plain) */
    boolean build(long[] values, int rows) {
        start(rows);
        for (int i = 0; i < rows; i++) {
            int id = idOf(values[i]);
            if (id < 0 || (i == SAMPLE && !pays(SAMPLE))) {
                return false;
            }
            ids[i] = id;
        }
        return pays(rows);
    }

    /** As {@link #build(long[], int)}, for 32-bit values of which the rows marked null have none. */
    boolean build(int[] values, boolean[] isNull, int rows) {
        start(rows);
        int seen = 0;
        for (int i = 0; i < rows; i++) {
            if (isNull[i]) {
                continue;
            }
            int id = idOf(values[i]);
            if (id < 0 || (++seen == SAMPLE && !pays(SAMPLE))) {
                return false;
            }
            ids[i] = id;
        }
        return pays(seen);
    }

    /** Ids pay when values repeat: at most one distinct value for every two rows. */
    private boolean pays(int values) {
        return size <= Math.max(1, values / 2);
    }

    private void start(int rows) {
        size = 0;
        if (ids.length < rows) {
            ids = new int[rows];
        }
        int capacity = HybridEncoder.dictionaryTableSlots(rows);
        if (keys.length < capacity) {
            keys = new long[capacity];
            slotIds = new int[capacity];
            filled = new int[Math.min(capacity, HybridEncoder.MAX_DICTIONARY_ENTRIES + 1)];
        } else { // empty the slots the last row group filled, not the whole table
            for (int k = 0; k < filledCount; k++) {
                slotIds[filled[k]] = 0;
            }
        }
        filledCount = 0;
        shift = Long.numberOfLeadingZeros(keys.length - 1L);
    }

    /** @return the value's id, a new one if it is new, or -1 when the dictionary is full */
    private int idOf(long v) {
        int mask = keys.length - 1;
        // the top bits of the product depend on every bit of the value
        int slot = (int) (((v ^ (v >>> 32)) * MIX) >>> shift) & mask;
        while (slotIds[slot] != 0) {
            if (keys[slot] == v) {
                return slotIds[slot] - 1;
            }
            slot = (slot + 1) & mask;
        }
        if (size == HybridEncoder.MAX_DICTIONARY_ENTRIES) {
            return -1;
        }
        keys[slot] = v;
        slotIds[slot] = size + 1;
        filled[filledCount++] = slot;
        if (size == distinct.length) {
            distinct = Arrays.copyOf(distinct, size * 2);
        }
        distinct[size] = v;
        return size++;
    }
}
