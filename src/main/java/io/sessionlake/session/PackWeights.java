package io.sessionlake.session;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The bytes and the number of the leaves a state names in each pack: which packs it still names, and how live each is
 * (what compaction weighs). Weighed once from a base's leaves, then kept as leaves are listed, replaced and moved, so
 * that a run pays for the leaves it changes, not for the tens of thousands it names (59,000 at 10M events). A pack all
 * of whose leaves were replaced stays in with no leaves.
 */
final class PackWeights {
    private final Map<String, long[]> byPack;

    private PackWeights(Map<String, long[]> byPack) {
        this.byPack = byPack;
    }

    /** Weighs the packs of these leaves. */
    static PackWeights of(Collection<LeafRef> refs) {
        PackWeights w = new PackWeights(new HashMap<>());
        for (LeafRef r : refs) {
            w.add(r);
        }
        return w;
    }

    /** A copy to change. */
    PackWeights copy() {
        Map<String, long[]> c = new HashMap<>(byPack.size() * 2);
        byPack.forEach((pack, w) -> c.put(pack, w.clone()));
        return new PackWeights(c);
    }

    void add(LeafRef r) {
        long[] w = byPack.computeIfAbsent(r.key(), k -> new long[2]);
        w[0] += r.bytes();
        w[1]++;
    }

    void remove(LeafRef r) {
        long[] w = byPack.get(r.key());
        if (w == null || w[1] == 0) {
            throw new IllegalStateException("a leaf of " + r.key() + " removed from the weights, which hold none there");
        }
        w[0] -= r.bytes();
        w[1]--;
    }

    /** Every pack weighed, with leaves or not (those whose leaves were all replaced or moved). */
    Set<String> packs() {
        return byPack.keySet();
    }

    /** Bytes of the leaves named in {@code pack}. */
    long bytes(String pack) {
        long[] w = byPack.get(pack);
        return w == null ? 0 : w[0];
    }

    /** Leaves named in {@code pack}. */
    long leaves(String pack) {
        long[] w = byPack.get(pack);
        return w == null ? 0 : w[1];
    }
}
