package io.sessionlake.run;

import io.sessionlake.session.LeafMissingException;
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
    private final ObjectStore store;

    public StateRepository(ObjectStore store) {
        this.store = store;
    }

    /** The committed state, or an empty one with the given configuration when nothing was committed yet. */
    public Loaded load(SessionConfig configForNewState) throws IOException {
        Optional<ObjectStore.StoredBytes> manifest = store.read(Layout.STATE_KEY);
        if (manifest.isPresent()) {
            try {
                return new Loaded(ManifestCodec.decode(manifest.get().bytes(), new LeafSource() {
                    @Override
                    public byte[] read(String key) {
                        return readLeaf(key);
                    }

                    @Override
                    public java.util.Map<String, byte[]> readAll(java.util.List<String> keys) {
                        return StateLeaves.inParallel(keys, StateRepository.this::readLeaf);
                    }
                }), manifest.get().etag());
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

    private byte[] readLeaf(String key) {
        try {
            return store.read(key).orElseThrow(() -> new LeafMissingException(key)).bytes();
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
