package io.sessionlake.session;

import java.util.Arrays;

/**
 * Open-addressing map from long to int without boxing: the ids a run adds to the dedupe window ({@link DedupeWindow}; a
 * large object adds millions, and the window of a single-object state is read into one) and the aggregates' counts of
 * values; a HashMap of Longs would need five times the memory. Its values (the minute of an event, a count) fit in
 * an int: twelve bytes a slot, not sixteen. The hash keeps neighbouring keys in neighbouring slots: event ids come
 * from a sequence, so lookups walk memory in order instead of missing the cache on every event.
 */
public final class LongIntMap {
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] keys;
    private int[] values;
    private int size;
    private boolean hasEmptyKey;
    private int emptyKeyValue;

    public LongIntMap() {
        this(16);
    }

    public LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 4 - 1)) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(keys, EMPTY);
    }

    public int size() {
        return size + (hasEmptyKey ? 1 : 0);
    }

    public boolean containsKey(long key) {
        if (key == EMPTY) {
            return hasEmptyKey;
        }
        return keys[slot(key)] == key;
    }

    /** @return the value, or {@code missing} when the key is absent */
    public int get(long key, int missing) {
        if (key == EMPTY) {
            return hasEmptyKey ? emptyKeyValue : missing;
        }
        int i = slot(key);
        return keys[i] == key ? values[i] : missing;
    }

    /** Adds the entry unless the key is present; @return true when it was added */
    public boolean putIfAbsent(long key, int value) {
        if (key == EMPTY) {
            if (hasEmptyKey) {
                return false;
            }
            put(key, value);
            return true;
        }
        int i = slot(key);
        if (keys[i] == key) {
            return false;
        }
        return insertAt(i, key, value);
    }

    /**
     * Adds the entry unless the key is present with a value of at least {@code floor}; a present entry below
     * the floor counts as absent and is replaced. @return true when it was added or replaced
     */
    public boolean putUnlessAtLeast(long key, int value, int floor) {
        if (key == EMPTY) {
            if (hasEmptyKey && emptyKeyValue >= floor) {
                return false;
            }
            put(key, value);
            return true;
        }
        int i = slot(key);
        if (keys[i] == key) {
            if (values[i] >= floor) {
                return false;
            }
            values[i] = value;
            return true;
        }
        return insertAt(i, key, value);
    }

    /** Fills the free slot {@code i}, growing the table past half full. @return true */
    private boolean insertAt(int i, long key, int value) {
        keys[i] = key;
        values[i] = value;
        size++;
        if (size * 2 > keys.length) {
            resize(keys.length * 2);
        }
        return true;
    }

    /** The keys in ascending order. */
    public long[] sortedKeys() {
        long[] out = new long[size()];
        int[] n = {0};
        forEach((k, v) -> out[n[0]++] = k);
        Arrays.sort(out);
        return out;
    }

    /** The values of the first {@code n} of {@code keys}, at the same places (0 for a key not held). */
    public int[] valuesOf(long[] keys, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = get(keys[i], 0);
        }
        return out;
    }

    /** The largest value, or {@code none} when the map is empty. */
    public int maxValue(int none) {
        int[] max = {none};
        boolean[] any = {false};
        forEach((k, v) -> {
            max[0] = any[0] ? Math.max(max[0], v) : v;
            any[0] = true;
        });
        return max[0];
    }

    public void put(long key, int value) {
        if (key == EMPTY) {
            hasEmptyKey = true;
            emptyKeyValue = value;
            return;
        }
        int i = slot(key);
        if (keys[i] != key) {
            keys[i] = key;
            size++;
        }
        values[i] = value;
        if (size * 2 > keys.length) {
            resize(keys.length * 2);
        }
    }

    /** Adds to a count; a count beyond an int fails rather than wraps. */
    public void add(long key, int delta) {
        put(key, Math.addExact(get(key, 0), delta));
    }

    /** Calls the visitor for every entry, in no particular order. */
    public void forEach(EntryVisitor visitor) {
        if (hasEmptyKey) {
            visitor.visit(EMPTY, emptyKeyValue);
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                visitor.visit(keys[i], values[i]);
            }
        }
    }

    private int slot(long key) {
        int mask = keys.length - 1;
        int i = (int) mix(key) & mask;
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void resize(int capacity) {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int slot = slot(oldKeys[i]);
                keys[slot] = oldKeys[i];
                values[slot] = oldValues[i];
                size++;
            }
        }
    }

    private static long mix(long x) {
        return x ^ (x >>> 20) ^ (x >>> 40);
    }

    @FunctionalInterface
    public interface EntryVisitor {
        void visit(long key, int value);
    }
}
