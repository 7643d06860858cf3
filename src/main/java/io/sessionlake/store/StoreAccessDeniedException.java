package io.sessionlake.store;

import java.io.IOException;

/**
 * The store refused this function access (S3 403 AccessDenied): a deployment error, not a passing one; a
 * retry gets the same answer until the bucket policy or the function's role changes.
 */
public final class StoreAccessDeniedException extends IOException {
    public StoreAccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
