package io.sessionlake.run;

/**
 * Why a run failed, and whether running it again can help. The code is the run report's {@code cause} field;
 * the S3 handler retries and the API answers 503 exactly for the retryable causes.
 */
public enum FailureCause {
    /** The input object cannot be processed as it is (corrupt gzip, deleted): fix or replace the object. */
    INPUT("input", false),
    /** The bucket could not be reached or refused for now (unreachable, throttled, 5xx, timeouts). */
    STORAGE("storage", true),
    /** Other runs committed the state first on every attempt up to the limit. */
    COMMIT_RACE("commit_race", true),
    /**
     * The deployment contradicts itself: run settings against the state, an invalid setting, an unreadable
     * state object, or a bucket this function is not allowed to use (AccessDenied). A person must act.
     */
    CONFIGURATION("configuration", false),
    /** An exception sessionlake did not expect of itself: a bug; the report names the exception class. */
    DEFECT("defect", false);

    private final String code;
    private final boolean retryable;

    FailureCause(String code, boolean retryable) {
        this.code = code;
        this.retryable = retryable;
    }

    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }
}
