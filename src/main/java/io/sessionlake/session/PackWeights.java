package io.sessionlake.session;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The bytes and the number of the leaves a state names in each pack: which packs it still names, and how live each is
 * (what compaction weighs). Weighed once from a base's leaves, then kept as leaves are listed, replaced and moved, so
 * that a run pays for the leaves it changes, not for the tens of thousands it names (59,000 at 10M events). A pack all
 * of whose leaves were replaced stays in with no leaves.
 *
 * <p>Each pack has a slot, numbered in the order the packs were first weighed, and a copy keeps the slots: a base
 * remembers the slot of each of its leaves' packs, so that merging a manifest's listing takes a replaced base leaf
 * out by its slot and size, without touching the leaf's ref (tens of thousands of them, spread over the heap).
 */
final class PackWeights {
    private final Map<String, Integer> slots;
    private String[] packs;
    private long[] bytes;
    private long[] leaves;

    private PackWeights(Map<String, Integer> slots, String[] packs, long[] bytes, long[] leaves) {
        this.slots = slots;
        this.packs = packs;
        this.bytes = bytes;
        this.leaves = leaves;
    }

    /** Weighs the packs of these leaves. */
    static PackWeights of(Collection<LeafRef> refs) {
        PackWeights w = new PackWeights(new HashMap<>(), new String[8], new long[8], new long[8]);
        for (LeafRef r : refs) {
            w.add(r);
        }
        return w;
    }

    /** A copy to change, with the same slots. */
    PackWeights copy() {
        return new PackWeights(new HashMap<>(slots), packs.clone(), bytes.clone(), leaves.clone());
    }

    /** The slot of {@code pack}, given one if it has none. */
    int slotOf(String pack) {
        Integer slot = slots.get(pack);
        if (slot != null) {
            return slot;
        }
        int s = slots.size();
        if (s == packs.length) {
            packs = Arrays.copyOf(packs, s * 2);
            bytes = Arrays.copyOf(bytes, s * 2);
            leaves = Arrays.copyOf(leaves, s * 2);
        }
        packs[s] = pack;
        slots.put(pack, s);
        return s;
    }

    void add(LeafRef r) {
        int s = slotOf(r.key());
        bytes[s] += r.bytes();
        leaves[s]++;
    }

    void remove(LeafRef r) {
        removeAt(slotOfWeighed(r.key()), r.bytes());
    }

    /** Takes out a leaf of {@code leafBytes} in the pack of slot {@code slot}. */
    void removeAt(int slot, long leafBytes) {
        if (slot < 0 || slot >= slots.size() || leaves[slot] == 0) {
            throw new IllegalStateException("a leaf of " + (slot < 0 || slot >= slots.size() ? "slot " + slot
                    : packs[slot]) + " removed from the weights, which hold none there");
        }
        bytes[slot] -= leafBytes;
        leaves[slot]--;
    }

    /** The slot of a pack already weighed; never gives one. */
    int slotOfWeighed(String pack) {
        Integer slot = slots.get(pack);
        if (slot == null) {
            throw new IllegalStateException("a leaf of " + pack + " asked of the weights, which hold none there");
        }
        return slot;
    }

    /** Every pack weighed, with leaves or not (those whose leaves were all replaced or moved). */
    Set<String> packs() {
        return java.util.Collections.unmodifiableSet(slots.keySet());
    }

    /** How many packs have a slot: slots are 0 up to this. */
    int slotCount() {
        return slots.size();
    }

    /** The pack of slot {@code slot}. */
    String packAt(int slot) {
        return packs[slot];
    }

    /** Leaves named in the pack of slot {@code slot}. */
    long leavesAt(int slot) {
        return leaves[slot];
    }

    /** Bytes of the leaves named in {@code pack}. */
    long bytes(String pack) {
        Integer s = slots.get(pack);
        return s == null ? 0 : bytes[s];
    }

    /** Leaves named in {@code pack}. */
    long leaves(String pack) {
        Integer s = slots.get(pack);
        return s == null ? 0 : leaves[s];
    }
}
