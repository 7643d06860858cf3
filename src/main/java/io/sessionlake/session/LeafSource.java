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
}
