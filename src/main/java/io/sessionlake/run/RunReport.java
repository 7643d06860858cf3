package io.sessionlake.run;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What one run did with one input object (SPEC 6, runs/). */
public record RunReport(
        String runId,
        String bucket,
        String key,
        String etag,
        long sizeBytes,
        Outcome outcome,
        String error,
        boolean retryable,
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
        Instant finishedAt) {

    public enum Outcome {
        SUCCEEDED("succeeded"), SKIPPED_ALREADY_PROCESSED("skipped_already_processed"), FAILED("failed");

        private final String code;

        Outcome(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
