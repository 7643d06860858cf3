package io.sessionlake.session;

import java.util.Arrays;

/**
 * Open-addressing map from long to long without boxing: the dedupe index holds an entry per accepted
 * event inside the horizon, millions of them, and a HashMap of Longs would need five times the memory.
 * The hash keeps neighbouring keys in neighbouring slots: event ids come from a sequence, so lookups walk
 * memory in order instead of missing the cache on every event.
 */
public final class LongLongMap {
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] keys;
    private long[] values;
    private int size;
    private boolean hasEmptyKey;
    private long emptyKeyValue;

    public LongLongMap() {
        this(16);
    }

    public LongLongMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 4 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
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
    public long get(long key, long missing) {
        if (key == EMPTY) {
            return hasEmptyKey ? emptyKeyValue : missing;
        }
        int i = slot(key);
        return keys[i] == key ? values[i] : missing;
    }

    /** Adds the entry unless the key is present; @return true when it was added */
    public boolean putIfAbsent(long key, long value) {
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
        keys[i] = key;
        values[i] = value;
        size++;
        if (size * 2 > keys.length) {
            resize(keys.length * 2);
        }
        return true;
    }

    public void put(long key, long value) {
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

    public void add(long key, long delta) {
        put(key, get(key, 0) + delta);
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

    /** Keeps only the entries whose value is at least {@code minValue}; rebuilds the table. */
    public void retainValuesAtLeast(long minValue) {
        if (!anyValueBelow(minValue)) {
            return;
        }
        LongLongMap kept = new LongLongMap(Math.max(16, size()));
        forEach((k, v) -> {
            if (v >= minValue) {
                kept.put(k, v);
            }
        });
        keys = kept.keys;
        values = kept.values;
        size = kept.size;
        hasEmptyKey = kept.hasEmptyKey;
        emptyKeyValue = kept.emptyKeyValue;
    }

    private boolean anyValueBelow(long minValue) {
        if (hasEmptyKey && emptyKeyValue < minValue) {
            return true;
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY && values[i] < minValue) {
                return true;
            }
        }
        return false;
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
        long[] oldValues = values;
        keys = new long[capacity];
        values = new long[capacity];
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
        void visit(long key, long value);
    }
}
