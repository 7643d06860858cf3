package io.sessionlake.session;

/** A leaf of the state is there but cannot be decoded: damaged, or of a format this version does not read. */
public final class StateUnreadableException extends RuntimeException {
    private final String key;

    public StateUnreadableException(String key, Exception cause) {
        super(cause.getMessage(), cause);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
