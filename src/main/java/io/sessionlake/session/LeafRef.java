package io.sessionlake.session;

/**
 * What the manifest knows of one leaf without reading it: its object key, the low end of its key range, how
 * many entries it holds, its size, and for a leaf of the dedupe window the newest minute in it (a leaf whose
 * newest minute is behind the horizon is dropped unread).
 */
public record LeafRef(String key, long low, int entries, int newestMinute, long bytes) {
}
