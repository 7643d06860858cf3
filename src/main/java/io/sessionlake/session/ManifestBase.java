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
 * @param place where it is stored: its key, offset 0, its length, and its leaves as entries
 * @param refs the customer leaves in key order
 * @param stored its bytes, for the cache that keeps it
 */
public record ManifestBase(LeafRef place, List<LeafRef> refs, byte[] stored, Map<String, Integer> leavesByPack)
        implements LeafSource.Decoded {
    static final byte[] MAGIC = {'S', 'L', 'B', '1'};

    ManifestBase(LeafRef place, List<LeafRef> refs, byte[] stored) {
        this(place, List.copyOf(refs), stored, countByPack(refs));
    }

    private static Map<String, Integer> countByPack(List<LeafRef> refs) {
        Map<String, Integer> n = new java.util.HashMap<>();
        for (LeafRef r : refs) {
            n.merge(r.key(), 1, Integer::sum);
        }
        return Map.copyOf(n);
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
        Map<String, String> keys = new java.util.HashMap<>();
        leavesByPack.keySet().forEach(k -> keys.put(k, k));
        return keys;
    }

    /** About 100 bytes a leaf: its ref, its key's share and the list's slot. */
    @Override
    public long heldBytes() {
        return stored.length + 100L * refs.size();
    }

    /**
     * The leaves a manifest on this base names: the base's, each replaced by the leaf of {@code changes} with the same
     * low key, and those of {@code changes} at low keys the base lacks (a leaf split since). Both in key order.
     *
     * @param packs the packs the manifest names: a leaf of the base that no change replaces must sit in one of them
     */
    List<LeafRef> with(List<LeafRef> changes, Map<String, Long> packs) throws IOException {
        // the base's leaves in packs the manifest no longer names: each must be replaced (counted per pack, so that a
        // run's check costs its changes, not the base's leaves)
        Map<String, int[]> gone = new java.util.HashMap<>();
        leavesByPack.forEach((pack, n) -> {
            if (!packs.containsKey(pack)) {
                gone.put(pack, new int[] {n});
            }
        });
        List<LeafRef> out = new ArrayList<>(refs.size() + changes.size());
        int b = 0;
        for (LeafRef c : changes) {
            while (b < refs.size() && refs.get(b).low() < c.low()) {
                out.add(refs.get(b++));
            }
            if (b < refs.size() && refs.get(b).low() == c.low()) {
                int[] left = gone.isEmpty() ? null : gone.get(refs.get(b).key());
                if (left != null) {
                    left[0]--;
                }
                b++;
            }
            out.add(c);
        }
        while (b < refs.size()) {
            out.add(refs.get(b++));
        }
        for (Map.Entry<String, int[]> g : gone.entrySet()) {
            if (g.getValue()[0] > 0) {
                throw new IOException("corrupt state manifest: " + g.getValue()[0] + " leaves of its base " + key()
                        + " sit in " + g.getKey() + ", which it does not name");
            }
        }
        return out;
    }

    /**
     * What a manifest on this base lists for {@code current} (key order): the leaves that are not the base's, or null
     * when the base has a leaf {@code current} lacks (leaves are never joined, so a state built on this base has every
     * low key the base has; a base that does not fit is replaced rather than trusted).
     */
    List<LeafRef> changesTo(List<LeafRef> current) {
        List<LeafRef> changes = new ArrayList<>();
        int b = 0;
        for (LeafRef c : current) {
            if (b < refs.size() && refs.get(b).low() < c.low()) {
                return null; // the base's leaf at refs[b] is not in current
            }
            if (b < refs.size() && refs.get(b).low() == c.low()) {
                if (refs.get(b) != c && !refs.get(b).equals(c)) {
                    changes.add(c);
                }
                b++;
            } else {
                changes.add(c);
            }
        }
        return b == refs.size() ? changes : null;
    }
}
