package io.sessionlake.session;

/**
 * What the manifest knows of one leaf without reading it: the pack object that holds it ({@code key}) and where
 * ({@code offset}, {@code bytes}), the low end of its key range, how many entries it holds, and for a leaf of the
 * dedupe window the newest minute in it (a leaf whose newest minute is behind the horizon is dropped unread) and the
 * generation it belongs to ({@link DedupeWindow}; 0 for a customer leaf). A pack is written once and never changed,
 * so a leaf's place names its bytes for good.
 */
public record LeafRef(String key, long low, int entries, int newestMinute, long offset, long bytes, long generation) {
    /** A customer leaf. */
    public LeafRef(String key, long low, int entries, int newestMinute, long offset, long bytes) {
        this(key, low, entries, newestMinute, offset, bytes, 0);
    }

    /** The same leaf at a new place (copied into another pack). */
    LeafRef movedTo(String pack, long at) {
        return new LeafRef(pack, low, entries, newestMinute, at, bytes, generation);
    }
}
