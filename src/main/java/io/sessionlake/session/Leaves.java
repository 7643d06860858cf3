package io.sessionlake.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A long-keyed map split into range leaves, as the leaves of a B-tree: a leaf holds the keys from its low up to
 * the next leaf's low, and the first leaf also everything below. A leaf is read from the store the first time a
 * key of its range is asked for; a run marks the leaves it changed, and only those are written again.
 */
final class Leaves<T> {
    @FunctionalInterface
    interface Decoder<T> {
        /** @param key the pack the leaf was read from, for an error found later (a customer read lazily) */
        T decode(byte[] bytes, String key) throws IOException;
    }

    /** One leaf: as the manifest names it ({@code ref}, null for a leaf new in this run) and, once read, its content. */
    static final class Slot<T> {
        final long low;
        final LeafRef ref;
        T content;
        boolean changed;

        Slot(long low, LeafRef ref, T content, boolean changed) {
            this.low = low;
            this.ref = ref;
            this.content = content;
            this.changed = changed;
        }

        boolean loaded() {
            return content != null;
        }
    }

    private final List<Slot<T>> slots;
    private long[] lows;
    private final LeafSource source;
    private final Decoder<T> decoder;
    private final Supplier<T> empty;
    /** Size of each pack the loaded manifest names, live leaves and replaced ones: what compaction weighs. */
    final java.util.TreeMap<String, Long> packSizes;
    private int lastIndex = -1;

    Leaves(List<LeafRef> refs, java.util.Map<String, Long> packSizes, LeafSource source, Decoder<T> decoder,
            Supplier<T> empty) {
        this.packSizes = new java.util.TreeMap<>(packSizes);
        this.source = source;
        this.decoder = decoder;
        this.empty = empty;
        this.slots = new ArrayList<>(refs.size());
        this.lows = new long[refs.size()];
        for (LeafRef r : refs) {
            lows[slots.size()] = r.low();
            slots.add(new Slot<>(r.low(), r, null, false));
        }
    }

    /** Leaves held in memory whole: a new state, or one converted from the single-object format. */
    static <T> Leaves<T> inMemory(T content, Decoder<T> decoder, Supplier<T> empty) {
        Leaves<T> l = new Leaves<>(List.of(), java.util.Map.of(), LeafSource.NONE, decoder, empty);
        l.slots.add(new Slot<>(Long.MIN_VALUE, null, content, true));
        l.reindex();
        return l;
    }

    /** The leaf whose range holds {@code key}, read from the store if it was not yet; a new leaf when there is none. */
    Slot<T> slotFor(long key) {
        int i = lastIndex;
        if (i < 0 || !inRange(i, key)) {
            if (slots.isEmpty()) {
                slots.add(new Slot<>(Long.MIN_VALUE, null, empty.get(), true));
                reindex();
            }
            i = indexOf(key);
            lastIndex = i;
        }
        Slot<T> s = slots.get(i);
        if (s.content == null) {
            load(s);
        }
        return s;
    }

    private boolean inRange(int i, long key) {
        return (i == 0 || lows[i] <= key) && (i + 1 == lows.length || key < lows[i + 1]);
    }

    private int indexOf(long key) {
        int at = java.util.Arrays.binarySearch(lows, key);
        return at >= 0 ? at : Math.max(0, -at - 2);
    }

    private void load(Slot<T> s) {
        fill(s, source.read(s.ref));
    }

    private void fill(Slot<T> s, byte[] bytes) {
        try {
            s.content = decoder.decode(bytes, s.ref.key());
        } catch (IOException | RuntimeException e) {
            throw new StateUnreadableException(s.ref.key(), e);
        }
    }

    /** The leaves not read yet whose ranges hold any of the first {@code n} keys. */
    List<Slot<T>> unreadFor(long[] keys, int n) {
        List<Slot<T>> out = new ArrayList<>();
        if (slots.isEmpty()) {
            return out;
        }
        java.util.IdentityHashMap<Slot<T>, Boolean> seen = new java.util.IdentityHashMap<>();
        for (int k = 0; k < n; k++) {
            Slot<T> s = slots.get(indexOf(keys[k]));
            if (s.content == null && seen.put(s, Boolean.TRUE) == null) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Reads the given leaves of this map and other leaves from the same store in one go, so that the store can read
     * them in parallel; the others' bytes go to {@code othersRead}.
     */
    void readTogether(List<Slot<T>> mine, List<LeafRef> others,
            java.util.function.Consumer<java.util.Map<LeafRef, byte[]>> othersRead) {
        if (mine.isEmpty() && others.isEmpty()) {
            return;
        }
        List<LeafRef> refs = new ArrayList<>(others);
        mine.forEach(s -> refs.add(s.ref));
        java.util.Map<LeafRef, byte[]> read = source.readAll(refs);
        for (Slot<T> s : mine) {
            fill(s, read.get(s.ref));
        }
        othersRead.accept(read);
    }

    List<Slot<T>> slots() {
        return slots;
    }

    /** Where the leaves are read from; compaction copies their stored bytes from it. */
    LeafSource source() {
        return source;
    }

    private void reindex() {
        lows = new long[slots.size()];
        for (int i = 0; i < lows.length; i++) {
            lows[i] = slots.get(i).low;
        }
        lastIndex = -1;
    }
}
