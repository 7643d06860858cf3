package io.sessionlake.run;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one run did with one input object (SPEC 6, runs/). {@code warnings}: what failed after the state
 * commit (metrics, the report itself) and did not fail the run. A failed run has an {@code error}, its
 * {@code cause} and, for a defect, the {@code exception} class; the others have null there.
 * {@code stateSizeBytes}: the size of the state this run committed as stored (its manifest, its base and the packs
 * holding the leaves it names, replaced leaves still in them included), 0 when it committed none.
 */
public record RunReport(
        String runId,
        String bucket,
        String key,
        String etag,
        long sizeBytes,
        Outcome outcome,
        String error,
        FailureCause cause,
        String exception,
        LineCounts counts,
        int sessionRevisions,
        int sessionTombstones,
        long watermarkBefore,
        long watermarkAfter,
        long stateSequence,
        List<String> outputs,
        Map<String, Long> timingsMillis,
        int attempts,
        Instant startedAt,
        Instant finishedAt,
        List<String> warnings,
        long stateSizeBytes) {

    /** A report of a run that committed no state. */
    public RunReport(String runId, String bucket, String key, String etag, long sizeBytes, Outcome outcome,
            String error, FailureCause cause, String exception, LineCounts counts, int sessionRevisions,
            int sessionTombstones, long watermarkBefore, long watermarkAfter, long stateSequence, List<String> outputs,
            Map<String, Long> timingsMillis, int attempts, Instant startedAt, Instant finishedAt,
            List<String> warnings) {
        this(runId, bucket, key, etag, sizeBytes, outcome, error, cause, exception, counts, sessionRevisions,
                sessionTombstones, watermarkBefore, watermarkAfter, stateSequence, outputs, timingsMillis, attempts,
                startedAt, finishedAt, warnings, 0);
    }

    /**
     * {@code running} is only ever stored, never returned: the report an attempt writes before its uploads,
     * naming the keys it is about to write (see {@link RunRecords}).
     */
    public enum Outcome {
        SUCCEEDED("succeeded"), SKIPPED_ALREADY_PROCESSED("skipped_already_processed"), FAILED("failed"),
        RUNNING("running");

        private final String code;

        Outcome(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        public static Outcome ofCode(String code) {
            for (Outcome o : values()) {
                if (o.code.equals(code)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("no run outcome " + code);
        }
    }

    /** Whether running the object again can help: only a failure of a retryable cause. */
    public boolean retryable() {
        return outcome == Outcome.FAILED && cause != null && cause.retryable();
    }

    public RunReport withWarnings(List<String> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<String> all = new java.util.ArrayList<>(warnings);
        all.addAll(more);
        return new RunReport(runId, bucket, key, etag, sizeBytes, outcome, error, cause, exception, counts, sessionRevisions,
                sessionTombstones, watermarkBefore, watermarkAfter, stateSequence, outputs, timingsMillis, attempts,
                startedAt, finishedAt, List.copyOf(all), stateSizeBytes);
    }

    public RunReport withStateSizeBytes(long bytes) {
        return new RunReport(runId, bucket, key, etag, sizeBytes, outcome, error, cause, exception, counts,
                sessionRevisions, sessionTombstones, watermarkBefore, watermarkAfter, stateSequence, outputs,
                timingsMillis, attempts, startedAt, finishedAt, warnings, bytes);
    }
}
