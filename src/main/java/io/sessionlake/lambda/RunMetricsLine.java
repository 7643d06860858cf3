package io.sessionlake.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sessionlake.run.LineCounts;
import io.sessionlake.run.RunReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One run's metrics as a CloudWatch embedded metric format (EMF) record: printed as one line, CloudWatch Logs
 * turns its fields into metrics without an API call. The metric names are what the template's alarms watch.
 */
public final class RunMetricsLine {
    public static final String NAMESPACE = "sessionlake";
    /** The only dimension: the function's name, so that two stacks in one account keep their metrics apart. */
    public static final String FUNCTION = "Function";

    public static final String LINES = "Lines";
    public static final String ACCEPTED = "Accepted";
    public static final String ANONYMOUS = "Anonymous";
    public static final String DUPLICATE = "Duplicate";
    public static final String LATE = "Late";
    public static final String REJECTED = "Rejected";
    /** Session revisions and tombstones written. */
    public static final String REVISIONS = "Revisions";
    public static final String RUN_DURATION = "RunDuration";
    /** Only when the run committed a state. */
    public static final String STATE_SIZE = "StateSizeBytes";
    public static final String RUNS_SUCCEEDED = "RunsSucceeded";
    public static final String RUNS_FAILED = "RunsFailed";
    public static final String RUNS_SKIPPED = "RunsSkipped";

    private static final ObjectMapper JSON = new ObjectMapper();

    private RunMetricsLine() {
    }

    private record Metric(String name, String unit, long value) {
    }

    /**
     * {@code functionName} null: no dimension (metrics of the whole account and region). The timestamp is the
     * run's end, so a record printed late still counts in the minute the run finished.
     */
    static ObjectNode of(RunReport r, String functionName, String requestId) {
        LineCounts c = r.counts();
        List<Metric> metrics = new ArrayList<>();
        metrics.add(new Metric(LINES, "Count", c == null ? 0 : c.lines()));
        metrics.add(new Metric(ACCEPTED, "Count", c == null ? 0 : c.accepted()));
        metrics.add(new Metric(ANONYMOUS, "Count", c == null ? 0 : c.anonymous()));
        metrics.add(new Metric(DUPLICATE, "Count", c == null ? 0 : c.duplicate()));
        metrics.add(new Metric(LATE, "Count", c == null ? 0 : c.late()));
        metrics.add(new Metric(REJECTED, "Count", c == null ? 0 : c.rejected()));
        metrics.add(new Metric(REVISIONS, "Count", (long) r.sessionRevisions() + r.sessionTombstones()));
        metrics.add(new Metric(RUN_DURATION, "Milliseconds", Duration.between(r.startedAt(), r.finishedAt()).toMillis()));
        if (r.stateSizeBytes() > 0) {
            metrics.add(new Metric(STATE_SIZE, "Bytes", r.stateSizeBytes()));
        }
        metrics.add(new Metric(RUNS_SUCCEEDED, "Count", r.outcome() == RunReport.Outcome.SUCCEEDED ? 1 : 0));
        metrics.add(new Metric(RUNS_FAILED, "Count", r.outcome() == RunReport.Outcome.FAILED ? 1 : 0));
        metrics.add(new Metric(RUNS_SKIPPED, "Count",
                r.outcome() == RunReport.Outcome.SKIPPED_ALREADY_PROCESSED ? 1 : 0));

        ObjectNode line = JSON.createObjectNode();
        line.put("log", "run_metrics");
        line.put(S3EventHandler.REQUEST_ID, requestId);
        ObjectNode aws = line.putObject("_aws");
        aws.put("Timestamp", r.finishedAt().toEpochMilli());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        ArrayNode dimensionSet = directive.putArray("Dimensions").addArray();
        if (functionName != null) {
            dimensionSet.add(FUNCTION);
        }
        ArrayNode definitions = directive.putArray("Metrics");
        for (Metric m : metrics) {
            definitions.addObject().put("Name", m.name()).put("Unit", m.unit());
        }
        if (functionName != null) {
            line.put(FUNCTION, functionName);
        }
        line.put("run_id", r.runId());
        line.put("key", r.key());
        line.put("outcome", r.outcome().code());
        for (Metric m : metrics) {
            line.put(m.name(), m.value());
        }
        return line;
    }
}
