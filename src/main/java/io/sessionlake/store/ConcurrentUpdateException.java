package io.sessionlake.store;

import java.io.IOException;

/** A conditional write lost the race: the object changed since it was read. The caller reloads and redoes. */
public final class ConcurrentUpdateException extends IOException {
    public ConcurrentUpdateException(String key) {
        super("object " + key + " was changed by another writer since it was read");
    }
}
