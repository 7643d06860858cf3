package io.sessionlake.run;

/**
 * A run that could not finish. {@code retryable} says whether running it again can help (storage was
 * unreachable) or not (the object is corrupt, the configuration contradicts the state).
 */
public final class RunFailedException extends RuntimeException {
    private final boolean retryable;

    public RunFailedException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
