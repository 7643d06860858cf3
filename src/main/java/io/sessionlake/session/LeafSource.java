package io.sessionlake.session;

/**
 * Reads a leaf of the state by its key, for the pure core: the run package hands in the store. Storage failures
 * come out unchecked ({@link java.io.UncheckedIOException}); a leaf that is not there is a {@link LeafMissingException}.
 */
@FunctionalInterface
public interface LeafSource {
    LeafSource NONE = key -> {
        throw new LeafMissingException(key);
    };

    byte[] read(String key);

    /** Several leaves at once; a store adapter reads them in parallel (a run needs a few hundred). */
    default java.util.Map<String, byte[]> readAll(java.util.List<String> keys) {
        java.util.Map<String, byte[]> out = new java.util.HashMap<>();
        for (String k : keys) {
            out.put(k, read(k));
        }
        return out;
    }
}
