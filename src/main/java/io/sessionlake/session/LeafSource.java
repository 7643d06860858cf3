package io.sessionlake.session;

/**
 * Reads leaves of the state by where the manifest says they are, for the pure core: the run package hands in the
 * store. Storage failures come out unchecked ({@link java.io.UncheckedIOException}); a leaf whose pack is not there
 * is a {@link LeafMissingException}.
 */
@FunctionalInterface
public interface LeafSource {
    LeafSource NONE = ref -> {
        throw new LeafMissingException(ref.key());
    };

    byte[] read(LeafRef ref);

    /** Several leaves at once; a store adapter reads them in parallel, neighbours in a pack in one request. */
    default java.util.Map<LeafRef, byte[]> readAll(java.util.List<LeafRef> refs) {
        java.util.Map<LeafRef, byte[]> out = new java.util.HashMap<>();
        for (LeafRef r : refs) {
            out.put(r, read(r));
        }
        return out;
    }

    /**
     * A leaf as an earlier run of this processor read and checked it, or null: a pack is never rewritten, so what a
     * place held once it holds for good, and a leaf need not be checked again.
     */
    default Decoded decoded(LeafRef ref) {
        return null;
    }

    /** Offers a leaf read and checked by this run to later ones (a source without a cache ignores it). */
    default void keep(LeafRef ref, Decoded leaf) {
    }

    /** A leaf in a form that cannot change, with the bytes it was read from (compaction copies those). */
    interface Decoded {
        byte[] stored();

        /** What it holds in memory, for a cache's budget. */
        long heldBytes();
    }
}
