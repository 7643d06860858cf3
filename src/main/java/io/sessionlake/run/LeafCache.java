package io.sessionlake.run;

import io.sessionlake.session.LeafRef;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored bytes of state leaves this processor wrote or read lately, by pack and offset, the least recently used
 * dropped first past a byte budget. A pack is never rewritten with other bytes (its key holds the revision and run
 * id, and a retry writes the same bytes), so an entry is never stale: a warm processor (one run at a time, mostly
 * the one that wrote the last state) reads from the store only what others wrote. Leaves a commit replaced are
 * removed at that commit ({@link #remove}): not for being wrong, but so that they take no room from live ones.
 */
final class LeafCache {
    /**
     * A twelfth of the heap, at most 256 MB: 42 MB in the 512 MiB the memory goal allows, about 110 MB on a Lambda
     * of 1,769 MB (75% heap), which holds every leaf of a 10M-event history (about 50 MB).
     */
    static long defaultBytes() {
        return Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 12);
    }

    private record Place(String pack, long offset) {
    }

    private final long budget;
    private long held;
    private final LinkedHashMap<Place, byte[]> entries = new LinkedHashMap<>(1024, 0.75f, true);

    LeafCache(long budget) {
        this.budget = budget;
    }

    synchronized byte[] get(LeafRef ref) {
        byte[] b = entries.get(new Place(ref.key(), ref.offset()));
        return b != null && b.length == ref.bytes() ? b : null;
    }

    synchronized void put(LeafRef ref, byte[] bytes) {
        if (bytes.length > budget) {
            return;
        }
        byte[] old = entries.put(new Place(ref.key(), ref.offset()), bytes);
        held += bytes.length - (old == null ? 0 : old.length);
        var it = entries.entrySet().iterator();
        while (held > budget && it.hasNext()) {
            Map.Entry<Place, byte[]> e = it.next();
            held -= e.getValue().length;
            it.remove();
        }
    }

    /** Drops a leaf no state names any more (a newer commit replaced it), so that it takes no room from live ones. */
    synchronized void remove(LeafRef ref) {
        byte[] old = entries.remove(new Place(ref.key(), ref.offset()));
        if (old != null) {
            held -= old.length;
        }
    }

    synchronized long heldBytes() {
        return held;
    }
}
