package io.sessionlake.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The customer leaves as one run left them, in an object of their own that later manifests build on: a manifest names
 * its base and lists only the leaves that differ from it (those later runs changed, split or moved), as Iceberg's
 * manifest list names manifest files and a log-structured store keeps a base and its deltas. So a run decodes, encodes
 * and writes the few thousand leaves changed since the base instead of every leaf (59,000 at 10M events), and a warm
 * processor keeps the decoded base across runs: its key holds a revision and a run id, so what it names it names for
 * good. A run writes a new base when the leaves changed since outgrow a share of it ({@link StateSeal}).
 *
 * <p>Kept decoded, with its leaves, their low keys and their packs in arrays and its packs weighed: a run merges the
 * leaves its manifest lists into them by copying the runs between (a few thousand listed leaves among 59,000 at 10M
 * events), not leaf by leaf, and adjusts the weights by the listed leaves.
 */
public final class ManifestBase implements LeafSource.Decoded {
    static final byte[] MAGIC = {'S', 'L', 'B', '1'};

    private final LeafRef place;
    private final LeafRef[] refs;
    private final long[] lows;
    /** The pack of each leaf, at the same places: what a pass over the leaves by pack reads without touching each ref. */
    private final String[] keys;
    /** The slot of each leaf's pack in {@link #weights}, and its bytes, at the same places: what a merge takes out. */
    private final int[] packSlots;
    private final long[] sizes;
    private final byte[] stored;
    /**
     * The bytes and the number of its leaves in each pack, weighed once; never changed after (the base is shared by the
     * runs of a processor): a merge changes a copy.
     */
    private final PackWeights weights;
    /** The keys of the packs its leaves sit in, each by itself: what a manifest on it names its packs by. */
    private final Map<String, String> packKeys;

    /**
     * @param place where it is stored: its key, offset 0, its length, and its leaves as entries
     * @param refs the customer leaves in key order
     * @param stored its bytes, for the cache that keeps it
     */
    ManifestBase(LeafRef place, List<LeafRef> refs, byte[] stored) {
        this.place = place;
        this.refs = refs.toArray(new LeafRef[0]);
        this.lows = new long[this.refs.length];
        for (int i = 0; i < lows.length; i++) {
            lows[i] = this.refs[i].low();
        }
        this.stored = stored;
        this.weights = PackWeights.of(refs);
        Map<String, String> byItself = new java.util.HashMap<>();
        weights.packs().forEach(k -> byItself.put(k, k));
        this.packKeys = java.util.Collections.unmodifiableMap(byItself);
        this.keys = new String[this.refs.length];
        this.packSlots = new int[this.refs.length];
        this.sizes = new long[this.refs.length];
        for (int i = 0; i < keys.length; i++) {
            packSlots[i] = weights.slotOfWeighed(this.refs[i].key());
            keys[i] = weights.packAt(packSlots[i]); // the string packKeys holds: one per pack
            sizes[i] = this.refs[i].bytes();
        }
    }

    /** Where it is stored: its key, offset 0, its length, and its leaves as entries. */
    public LeafRef place() {
        return place;
    }

    /** The customer leaves in key order. */
    public List<LeafRef> refs() {
        return java.util.Collections.unmodifiableList(java.util.Arrays.asList(refs));
    }

    @Override
    public byte[] stored() {
        return stored;
    }

    /** The base object for these leaves; {@code packSizes} holds the size of every pack they sit in. */
    static ManifestBase of(String key, List<LeafRef> refs, Map<String, Long> packSizes) {
        byte[] bytes = LeafCodec.checkedBlock(MAGIC, w -> ManifestCodec.writeRefs(w, refs, packSizes, false));
        return new ManifestBase(placeOf(key, refs.size(), bytes.length), refs, bytes);
    }

    /** Where a manifest says its base is: the whole object, its leaves counted as entries. */
    static LeafRef placeOf(String key, int leaves, long bytes) {
        return new LeafRef(key, 0, leaves, 0, 0, bytes);
    }

    /** The base stored at {@code place}, refused when it is not what the manifest naming it says. */
    static ManifestBase read(LeafRef place, byte[] bytes) throws IOException {
        if (bytes.length != place.bytes()) {
            throw new IOException("the manifest's base " + place.key() + " is " + bytes.length + " bytes, the manifest says "
                    + place.bytes());
        }
        StateBytes.Reader r = LeafCodec.openChecked(bytes, MAGIC);
        List<LeafRef> refs = ManifestCodec.readRefs(r, new TreeMap<>(), false);
        LeafCodec.requireEnd(r);
        if (refs.size() != place.entries()) {
            throw new IOException("the manifest's base " + place.key() + " names " + refs.size() + " leaves, the manifest "
                    + "says " + place.entries());
        }
        return new ManifestBase(place, refs, bytes);
    }

    public String key() {
        return place.key();
    }

    /** The keys of the packs its leaves sit in, each by itself (the strings its leaves hold). */
    Map<String, String> packKeys() {
        return packKeys;
    }

    /**
     * About 112 bytes a leaf: its ref (an object of about 60 bytes and its slot), its low key, its pack, its pack's
     * weight slot and its size.
     */
    @Override
    public long heldBytes() {
        return stored.length + 112L * refs.length;
    }

    /**
     * The leaves a manifest on this base names: the base's, each replaced by the leaf of {@code changes} with the same
     * low key, and those of {@code changes} at low keys the base lacks (a leaf split since). Both in key order. With them,
     * where the listed ones are and the packs' weights, from the base's and the changes: what sealing the next state
     * needs, at the cost of the changes rather than of every leaf.
     *
     * @param packs the packs the manifest names: a leaf of the base that no change replaces must sit in one of them
     */
    Merged with(List<LeafRef> changes, Map<String, Long> packs) throws IOException {
        // the base's leaves in packs the manifest no longer names: each must be replaced (counted per pack, so that a
        // run's check costs its changes, not the base's leaves); by the packs' slots, as the weights
        long[] gone = new long[weights.slotCount()];
        for (int slot = 0; slot < gone.length; slot++) {
            if (!packs.containsKey(weights.packAt(slot))) {
                gone[slot] = weights.leavesAt(slot);
            }
        }
        PackWeights merged = weights.copy();
        java.util.BitSet listed = new java.util.BitSet();
        LeafRef[] out = new LeafRef[refs.length + changes.size()];
        long[] outLows = new long[out.length];
        String[] outKeys = new String[out.length];
        int n = 0;
        int b = 0;
        for (LeafRef c : changes) {
            // the base's leaves below the change, copied as a run
            int at = java.util.Arrays.binarySearch(lows, b, lows.length, c.low());
            int below = at >= 0 ? at : -at - 1;
            System.arraycopy(refs, b, out, n, below - b);
            System.arraycopy(lows, b, outLows, n, below - b);
            System.arraycopy(keys, b, outKeys, n, below - b);
            n += below - b;
            b = below;
            if (at >= 0) { // replaced: taken out by its pack's slot and its size, its ref left untouched
                gone[packSlots[b]]--;
                merged.removeAt(packSlots[b], sizes[b]);
                b++;
            }
            merged.add(c);
            listed.set(n);
            out[n] = c;
            outKeys[n] = c.key();
            outLows[n++] = c.low();
        }
        System.arraycopy(refs, b, out, n, refs.length - b);
        System.arraycopy(lows, b, outLows, n, refs.length - b);
        System.arraycopy(keys, b, outKeys, n, refs.length - b);
        n += refs.length - b;
        for (int slot = 0; slot < gone.length; slot++) {
            if (gone[slot] > 0) {
                throw new IOException("corrupt state manifest: " + gone[slot] + " leaves of its base " + key()
                        + " sit in " + weights.packAt(slot) + ", which it does not name");
            }
        }
        return new Merged(java.util.Arrays.asList(java.util.Arrays.copyOf(out, n)), java.util.Arrays.copyOf(outLows, n),
                java.util.Arrays.copyOf(outKeys, n), listed, merged);
    }

    /**
     * The leaves a manifest names (on a base or listed whole), in key order, with their low keys and packs; on a base
     * also which of them it lists (positions in {@code refs}) and the weights of the packs they sit in; null when listed
     * whole.
     */
    record Merged(List<LeafRef> refs, long[] lows, String[] keys, java.util.BitSet listed, PackWeights weights) {
        /** Leaves listed whole. */
        static Merged of(List<LeafRef> refs) {
            long[] lows = new long[refs.size()];
            String[] keys = new String[lows.length];
            for (int i = 0; i < lows.length; i++) {
                lows[i] = refs.get(i).low();
                keys[i] = refs.get(i).key();
            }
            return new Merged(refs, lows, keys, null, null);
        }
    }
}
