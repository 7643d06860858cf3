package io.sessionlake.store;

import java.io.IOException;

/** The object named by a key is not in the store (deleted, or never there). */
public final class ObjectNotFoundException extends IOException {
    public ObjectNotFoundException(String location, String key) {
        super("no object " + key + " in " + location);
    }
}
