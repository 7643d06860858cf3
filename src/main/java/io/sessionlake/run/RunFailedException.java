package io.sessionlake.run;

import io.sessionlake.store.ObjectNotFoundException;
import io.sessionlake.store.StoreAccessDeniedException;
import java.io.IOException;

/**
 * A run that could not finish, named by its {@link FailureCause}, which carries the retry decision. Each
 * factory is used where that cause is known; nothing is inferred from a message.
 */
public final class RunFailedException extends RuntimeException {
    private final FailureCause failureCause;

    public RunFailedException(String message, FailureCause failureCause, Throwable cause) {
        super(message, cause);
        this.failureCause = failureCause;
    }

    public static RunFailedException input(String message, Throwable cause) {
        return new RunFailedException(message, FailureCause.INPUT, cause);
    }

    public static RunFailedException configuration(String message, Throwable cause) {
        return new RunFailedException(message, FailureCause.CONFIGURATION, cause);
    }

    /**
     * A failure the store reported: a missing object is the input's, a refused permission the deployment's,
     * anything else storage's (unreachable, throttled, 5xx, timeouts).
     */
    public static RunFailedException fromStore(String message, IOException e) {
        if (e instanceof ObjectNotFoundException) {
            return input(message, e);
        }
        if (e instanceof StoreAccessDeniedException || e instanceof java.nio.file.AccessDeniedException) {
            return configuration(message + "; grant this function access to the bucket", e);
        }
        return new RunFailedException(message, FailureCause.STORAGE, e);
    }

    /** An exception sessionlake did not expect of itself; the report names its class. */
    public static RunFailedException defect(String message, Throwable e) {
        return new RunFailedException("unexpected " + e.getClass().getName() + " in sessionlake while " + message
                + ": " + e.getMessage() + " (a defect: report it with this run report)", FailureCause.DEFECT, e);
    }

    public FailureCause failureCause() {
        return failureCause;
    }

    public boolean retryable() {
        return failureCause.retryable();
    }

    /** For a defect, the class of the unexpected exception; null otherwise. */
    public String exceptionClass() {
        return failureCause == FailureCause.DEFECT && getCause() != null ? getCause().getClass().getName() : null;
    }
}
