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
        /** Its place among the leaves as loaded. */
        final int index;
        final long low;
        final LeafRef ref;
        T content;
        boolean changed;

        Slot(int index, long low, LeafRef ref, T content, boolean changed) {
            this.index = index;
            this.low = low;
            this.ref = ref;
            this.content = content;
            this.changed = changed;
        }

        boolean loaded() {
            return content != null;
        }
    }

    /** Each leaf as the manifest names it, in key order (null for a leaf held in memory: a new or converted state). */
    private List<LeafRef> refs;
    private long[] lows;
    /** The pack of each leaf, at the same places (null for a leaf held in memory). */
    private String[] keys;
    /**
     * The leaves a run asked for, by index; null for the others. Created on first use, so that a run's cost is the
     * leaves it touches, not the tens of thousands the state holds.
     */
    private Slot<T>[] slots;
    /** The slots created, in the order they were: what a run read and what it may have changed. */
    private final List<Slot<T>> touched = new ArrayList<>();
    private final LeafSource source;
    private final Decoder<T> decoder;
    private final Supplier<T> empty;
    /** Size of each pack the loaded manifest names, live leaves and replaced ones: what compaction weighs. */
    final java.util.TreeMap<String, Long> packSizes;
    /** On a base: which leaves the manifest lists (differ from the base), by index; null for leaves listed whole. */
    private final java.util.BitSet listed;
    /** On a base: the packs' weights as loaded, kept from the base's; null for leaves listed whole (weighed on demand). */
    private final PackWeights weights;
    private int lastIndex = -1;

    Leaves(List<LeafRef> refs, java.util.Map<String, Long> packSizes, LeafSource source, Decoder<T> decoder,
            Supplier<T> empty) {
        this(ManifestBase.Merged.of(refs), packSizes, source, decoder, empty);
    }

    /** @param leaves the refs with their low keys (a manifest on a base has them from the base's) */
    Leaves(ManifestBase.Merged leaves, java.util.Map<String, Long> packSizes, LeafSource source,
            Decoder<T> decoder, Supplier<T> empty) {
        if (leaves.lows().length != leaves.refs().size()) {
            throw new IllegalArgumentException(leaves.lows().length + " low keys for " + leaves.refs().size() + " leaves");
        }
        this.packSizes = new java.util.TreeMap<>(packSizes);
        this.source = source;
        this.decoder = decoder;
        this.empty = empty;
        this.refs = leaves.refs();
        this.lows = leaves.lows();
        this.keys = leaves.keys();
        this.listed = leaves.listed();
        this.weights = leaves.weights();
        this.slots = newSlots(refs.size());
    }

    @SuppressWarnings("unchecked")
    private static <T> Slot<T>[] newSlots(int n) {
        return (Slot<T>[]) new Slot<?>[n];
    }

    /** Leaves held in memory whole: a new state, or one converted from the single-object format. */
    static <T> Leaves<T> inMemory(T content, Decoder<T> decoder, Supplier<T> empty) {
        Leaves<T> l = new Leaves<>(List.of(), java.util.Map.of(), LeafSource.NONE, decoder, empty);
        l.holdOne(content);
        return l;
    }

    /** The one leaf of a state held in memory, from the lowest key up. */
    private void holdOne(T content) {
        refs = java.util.Collections.singletonList(null);
        lows = new long[] {Long.MIN_VALUE};
        keys = new String[1];
        slots = newSlots(1);
        slots[0] = new Slot<>(0, Long.MIN_VALUE, null, content, true);
        touched.add(slots[0]);
        lastIndex = -1;
    }

    /** The leaf whose range holds {@code key}, read from the store if it was not yet; a new leaf when there is none. */
    Slot<T> slotFor(long key) {
        int i = lastIndex;
        if (i < 0 || !inRange(i, key)) {
            if (lows.length == 0) {
                holdOne(empty.get());
            }
            i = indexOf(key);
            lastIndex = i;
        }
        Slot<T> s = slot(i);
        if (s.content == null) {
            load(s);
        }
        return s;
    }

    /** The slot of leaf {@code i}, created (not read) on first use. */
    private Slot<T> slot(int i) {
        Slot<T> s = slots[i];
        if (s == null) {
            s = new Slot<>(i, lows[i], refs.get(i), null, false);
            slots[i] = s;
            touched.add(s);
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
        if (lows.length == 0) {
            return out;
        }
        java.util.IdentityHashMap<Slot<T>, Boolean> seen = new java.util.IdentityHashMap<>();
        for (int k = 0; k < n; k++) {
            Slot<T> s = slot(indexOf(keys[k]));
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

    /** Leaves in the state as loaded (a new state's first leaf once a run asked for it). */
    int size() {
        return lows.length;
    }

    /** Leaf {@code i} as the manifest names it (null for a leaf held in memory). */
    LeafRef ref(int i) {
        return refs.get(i);
    }

    /** The leaves as the manifest names them, in key order; not to be changed. */
    List<LeafRef> refs() {
        return refs;
    }

    /** The pack of each leaf, in key order, as the refs name them; not to be changed. */
    List<String> keys() {
        return java.util.Arrays.asList(keys);
    }

    /** The leaves a run asked for (read or not yet), in no particular order. */
    List<Slot<T>> touched() {
        return touched;
    }

    /**
     * On a base, which leaves the manifest lists (by index), else null: the ones that differ from the base, at the cost
     * of the listing, not a walk over every leaf.
     */
    java.util.BitSet listed() {
        return listed;
    }

    /** The packs' weights as loaded, to change (weighed now when the leaves are listed whole). */
    PackWeights weights() {
        if (weights != null) {
            return weights.copy();
        }
        List<LeafRef> named = new ArrayList<>(refs.size());
        for (LeafRef r : refs) {
            if (r != null) { // a leaf held in memory sits in no pack
                named.add(r);
            }
        }
        return PackWeights.of(named);
    }

    /** Where the leaves are read from; compaction copies their stored bytes from it. */
    LeafSource source() {
        return source;
    }

}
