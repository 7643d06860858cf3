package io.sessionlake.run;

import io.sessionlake.session.LeafRef;
import io.sessionlake.session.LeafSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored bytes of state leaves this processor wrote or read lately, by pack and offset, the least recently used
 * dropped first past a byte budget. A pack is never rewritten with other bytes (its key holds the revision and run
 * id, and a retry writes the same bytes), so an entry is never stale: a warm processor (one run at a time, mostly
 * the one that wrote the last state) reads from the store only what others wrote. Leaves a commit replaced are
 * removed at that commit ({@link #remove}): not for being wrong, but so that they take no room from live ones. A leaf
 * the core read and checked ({@link LeafSource.Decoded}: a dedupe window leaf with its filter ready) replaces its
 * bytes, so that the next run does not check it again.
 */
final class LeafCache {
    /**
     * A twelfth of the heap, at most 256 MB: 42 MB in the 512 MiB the memory goal allows, about 110 MB on a Lambda
     * of 1,769 MB (75% heap), which holds nearly every leaf of a 10M-event history (88 MB with customer leaves of 2
     * and the dedupe window's filters, which a kept leaf holds twice: about 100 MB).
     */
    static long defaultBytes() {
        return Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 12);
    }

    private record Place(String pack, long offset) {
    }

    private final long budget;
    private long held;
    /** A leaf's stored bytes, or the leaf as the core decoded it (which holds those bytes). */
    private final LinkedHashMap<Place, Object> entries = new LinkedHashMap<>(1024, 0.75f, true);

    LeafCache(long budget) {
        this.budget = budget;
    }

    synchronized byte[] get(LeafRef ref) {
        Object v = entries.get(new Place(ref.key(), ref.offset()));
        byte[] b = v instanceof LeafSource.Decoded d ? d.stored() : (byte[]) v;
        return b != null && b.length == ref.bytes() ? b : null;
    }

    /** The leaf as the core kept it ({@link #keep}), or null. */
    synchronized LeafSource.Decoded decoded(LeafRef ref) {
        Object v = entries.get(new Place(ref.key(), ref.offset()));
        return v instanceof LeafSource.Decoded d && d.stored().length == ref.bytes() ? d : null;
    }

    synchronized void put(LeafRef ref, byte[] bytes) {
        hold(ref, bytes, bytes.length);
    }

    /** Keeps a leaf as the core decoded it, in place of its bytes. */
    synchronized void keep(LeafRef ref, LeafSource.Decoded leaf) {
        hold(ref, leaf, leaf.heldBytes());
    }

    private void hold(LeafRef ref, Object value, long size) {
        if (size > budget) {
            return;
        }
        Object old = entries.put(new Place(ref.key(), ref.offset()), value);
        held += size - sizeOf(old);
        var it = entries.entrySet().iterator();
        while (held > budget && it.hasNext()) {
            Map.Entry<Place, Object> e = it.next();
            held -= sizeOf(e.getValue());
            it.remove();
        }
    }

    private static long sizeOf(Object v) {
        return v == null ? 0 : v instanceof LeafSource.Decoded d ? d.heldBytes() : ((byte[]) v).length;
    }

    /** Drops a leaf no state names any more (a newer commit replaced it), so that it takes no room from live ones. */
    synchronized void remove(LeafRef ref) {
        held -= sizeOf(entries.remove(new Place(ref.key(), ref.offset())));
    }

    /**
     * Drops every leaf of a pack: one of them did not decode, and its bytes may have been damaged on the way here,
     * not in the store. Kept, they would fail every later run of this processor.
     */
    synchronized void removePack(String pack) {
        var it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Place, Object> e = it.next();
            if (e.getKey().pack().equals(pack)) {
                held -= sizeOf(e.getValue());
                it.remove();
            }
        }
    }

    synchronized long heldBytes() {
        return held;
    }
}
