package io.sessionlake.session;

/**
 * A leaf the loaded manifest points to is not in the store: a newer commit retired it and its grace period
 * passed, so the run is working on an old state and must reload (a lost race), or the state was damaged.
 */
public final class LeafMissingException extends RuntimeException {
    private final String key;

    public LeafMissingException(String key) {
        super("state leaf " + key + " is missing");
        this.key = key;
    }

    public String key() {
        return key;
    }
}
