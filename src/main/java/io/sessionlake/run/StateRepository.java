package io.sessionlake.run;

import io.sessionlake.session.LeafMissingException;
import io.sessionlake.session.LeafRef;
import io.sessionlake.session.LeafSource;
import io.sessionlake.session.ManifestCodec;
import io.sessionlake.session.SessionConfig;
import io.sessionlake.session.SessionState;
import io.sessionlake.session.StateCodec;
import io.sessionlake.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Loads the state's manifest with the ETag it was read at (its leaves are read later, where a run needs them), and
 * commits a new manifest only over that exact version. Without a manifest, a single-object state of an earlier
 * version is read whole, once: the run that converts it commits the first manifest (only if none exists yet) and
 * leaves {@code state/state.bin} as it was, a copy of the history before the conversion.
 */
public final class StateRepository {
    /**
     * Leaves of one pack at most this far apart are read in one request: a GET costs a round trip, a few more
     * kilobytes cost nothing in comparison.
     */
    static final int COALESCE_GAP = 64 * 1024;
    /** A ranged read is at most this long (unless one leaf is longer), so a run holds few bytes it does not need. */
    static final int MAX_RANGE = 8 << 20;

    private final ObjectStore store;
    private final LeafCache cache;

    public StateRepository(ObjectStore store) {
        this(store, new LeafCache(0));
    }

    StateRepository(ObjectStore store, LeafCache cache) {
        this.store = store;
        this.cache = cache;
    }

    /**
     * The committed state, or an empty one with the given configuration when nothing was committed yet. A manifest's
     * base is read with it: when it is missing and the manifest has changed since, a newer commit retired it and the
     * new manifest is read (a base is deleted only a grace period after its retirement, so this takes a run stalled
     * for that long); when the manifest is the same, the state is damaged.
     */
    public Loaded load(SessionConfig configForNewState) throws IOException {
        for (int read = 1;; read++) {
            try {
                return loadOnce(configForNewState);
            } catch (BaseMissing m) {
                if (read >= MAX_MANIFEST_READS || java.util.Objects.equals(currentEtag(), m.manifestEtag)) {
                    throw unreadable(m.missing.key(), m.missing);
                }
            }
        }
    }

    /** Reads of a manifest whose base is gone, each newer than the last, before the state counts as damaged. */
    private static final int MAX_MANIFEST_READS = 5;

    /** A manifest whose base was not there, with the ETag it was read at. */
    private static final class BaseMissing extends RuntimeException {
        final LeafMissingException missing;
        final String manifestEtag;

        BaseMissing(LeafMissingException missing, String manifestEtag) {
            super(missing.getMessage(), missing, false, false);
            this.missing = missing;
            this.manifestEtag = manifestEtag;
        }
    }

    private Loaded loadOnce(SessionConfig configForNewState) throws IOException {
        Optional<ObjectStore.StoredBytes> manifest = store.read(Layout.STATE_KEY);
        if (manifest.isPresent()) {
            try {
                return new Loaded(ManifestCodec.decode(manifest.get().bytes(), new LeafSource() {
                    @Override
                    public byte[] read(LeafRef ref) {
                        return readLeaves(java.util.List.of(ref)).get(ref);
                    }

                    @Override
                    public java.util.Map<LeafRef, byte[]> readAll(java.util.List<LeafRef> refs) {
                        return readLeaves(refs);
                    }

                    @Override
                    public Decoded decoded(LeafRef ref) {
                        return cache.decoded(ref);
                    }

                    @Override
                    public void keep(LeafRef ref, Decoded leaf) {
                        cache.keep(ref, leaf);
                    }
                }), manifest.get().etag());
            } catch (LeafMissingException missing) {
                throw new BaseMissing(missing, manifest.get().etag());
            } catch (UncheckedIOException storeFailed) {
                // reading the manifest's base: the store failed (a retryable storage failure, or access denied), the
                // state is not in question
                throw storeFailed.getCause();
            } catch (io.sessionlake.session.StateUnreadableException damaged) {
                cache.removePack(damaged.key()); // damaged on the way, maybe: the next run reads it again
                throw unreadable(damaged.key(), damaged);
            } catch (IOException | RuntimeException e) {
                throw unreadable(Layout.STATE_KEY, e);
            }
        }
        Optional<ObjectStore.StoredBytes> legacy = store.read(Layout.LEGACY_STATE_KEY);
        if (legacy.isEmpty()) {
            return new Loaded(SessionState.empty(configForNewState), null);
        }
        try {
            // committed with "only if no manifest exists": two runs converting at once cannot both land
            return new Loaded(StateCodec.decode(new ByteArrayInputStream(legacy.get().bytes())), null);
        } catch (IOException | RuntimeException e) {
            throw unreadable(Layout.LEGACY_STATE_KEY, e);
        }
    }

    /** The ETag of the committed manifest now, null when there is none. */
    public String currentEtag() throws IOException {
        return store.stat(Layout.STATE_KEY).map(ObjectStore.ObjectInfo::etag).orElse(null);
    }

    /** The state contradicts what this deployment can read: a person restores or rebuilds it. */
    RunFailedException unreadable(String key, Exception e) {
        return RunFailedException.configuration("the state object " + key + " in " + store.location()
                + " cannot be read (" + e.getMessage() + "); restore it from a backup or rebuild", e);
    }

    /**
     * The bytes of the given leaves: from the cache where it has them, the others in ranged reads of their packs,
     * neighbours in a pack together ({@link #COALESCE_GAP}), the reads in parallel.
     */
    private java.util.Map<LeafRef, byte[]> readLeaves(java.util.List<LeafRef> refs) {
        java.util.Map<LeafRef, byte[]> out = new java.util.HashMap<>();
        java.util.TreeMap<String, java.util.List<LeafRef>> byPack = new java.util.TreeMap<>();
        for (LeafRef r : refs) {
            byte[] cached = cache.get(r);
            if (cached != null) {
                out.put(r, cached);
            } else {
                byPack.computeIfAbsent(r.key(), k -> new java.util.ArrayList<>()).add(r);
            }
        }
        java.util.List<Range> ranges = new java.util.ArrayList<>();
        for (java.util.List<LeafRef> inPack : byPack.values()) {
            inPack.sort(java.util.Comparator.comparingLong(LeafRef::offset));
            Range open = null;
            for (LeafRef r : inPack) {
                if (open != null && r.offset() - open.end() <= COALESCE_GAP
                        && r.offset() + r.bytes() - open.start() <= MAX_RANGE) {
                    open.leaves().add(r);
                } else {
                    open = new Range(new java.util.ArrayList<>(java.util.List.of(r)));
                    ranges.add(open);
                }
            }
        }
        java.util.Map<Range, byte[]> read = StateLeaves.inParallel(ranges, this::readRange);
        for (Range range : ranges) {
            byte[] bytes = read.get(range);
            for (LeafRef r : range.leaves()) {
                int from = (int) (r.offset() - range.start());
                byte[] leaf = java.util.Arrays.copyOfRange(bytes, from, from + (int) r.bytes());
                cache.put(r, leaf);
                out.put(r, leaf);
            }
        }
        return out;
    }

    /** Leaves of one pack read in one request, in offset order. */
    private record Range(java.util.List<LeafRef> leaves) {
        String pack() {
            return leaves.get(0).key();
        }

        long start() {
            return leaves.get(0).offset();
        }

        long end() {
            long end = 0;
            for (LeafRef r : leaves) {
                end = Math.max(end, r.offset() + r.bytes());
            }
            return end;
        }
    }

    private byte[] readRange(Range range) {
        try {
            return store.readRange(range.pack(), range.start(), (int) (range.end() - range.start()))
                    .orElseThrow(() -> new LeafMissingException(range.pack()));
        } catch (java.io.EOFException shorter) {
            // the pack is shorter than the manifest says: damaged, as a leaf that does not decode
            throw new io.sessionlake.session.StateUnreadableException(range.pack(), shorter);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Commits a manifest sealed by {@link io.sessionlake.session.StateSeal}, only over the version it was loaded
     * from; its leaves must be written before.
     *
     * @throws io.sessionlake.store.ConcurrentUpdateException when another run committed first
     */
    public void commit(byte[] manifest, String readEtag) throws IOException {
        store.putIfUnchanged(Layout.STATE_KEY, manifest, readEtag, "application/octet-stream");
    }

    public record Loaded(SessionState state, String etag) {
    }
}
