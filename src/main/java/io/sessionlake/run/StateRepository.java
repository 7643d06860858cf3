package io.sessionlake.run;

import io.sessionlake.session.SessionConfig;
import io.sessionlake.session.SessionState;
import io.sessionlake.session.StateCodec;
import io.sessionlake.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;

/** Loads the state with the ETag it was read at, and commits a new one only over that exact version. */
public final class StateRepository {
    private final ObjectStore store;

    public StateRepository(ObjectStore store) {
        this.store = store;
    }

    /** The committed state, or an empty one with the given configuration when nothing was committed yet. */
    public Loaded load(SessionConfig configForNewState) throws IOException {
        Optional<ObjectStore.StoredBytes> stored = store.read(Layout.STATE_KEY);
        if (stored.isEmpty()) {
            return new Loaded(SessionState.empty(configForNewState), null);
        }
        try {
            return new Loaded(StateCodec.decode(new ByteArrayInputStream(stored.get().bytes())), stored.get().etag());
        } catch (IOException | RuntimeException e) {
            // the state contradicts what this deployment can read: a person restores or rebuilds it
            throw RunFailedException.configuration("the state object " + Layout.STATE_KEY + " in " + store.location()
                    + " cannot be read (" + e.getMessage() + "); restore it from a backup or rebuild", e);
        }
    }

    /**
     * Commits a state encoded by {@link StateCodec#encode}, only over the version it was loaded from.
     *
     * @throws io.sessionlake.store.ConcurrentUpdateException when another run committed first
     */
    public void commit(byte[] encodedState, String readEtag) throws IOException {
        store.putIfUnchanged(Layout.STATE_KEY, encodedState, readEtag, "application/octet-stream");
    }

    public record Loaded(SessionState state, String etag) {
    }
}
