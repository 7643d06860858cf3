package io.sessionlake.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.run.LineCountsFixture;
import io.sessionlake.run.FailureCause;
import io.sessionlake.run.RunReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunMetricsLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant STARTED = Instant.parse("2026-04-01T10:00:00Z");
    private static final Instant FINISHED = Instant.parse("2026-04-01T10:00:02.345Z");

    private static RunReport report(RunReport.Outcome outcome, boolean counted) {
        return new RunReport("run-1", "s3://b", "events/a.jsonl", "e1", 1000, outcome,
                outcome == RunReport.Outcome.FAILED ? "broken" : null,
                outcome == RunReport.Outcome.FAILED ? FailureCause.INPUT : null, null,
                counted ? LineCountsFixture.of(90, 4, 3, 2, 1) : null, counted ? 7 : 0, counted ? 2 : 0, 0, 0, 5,
                List.of(), Map.of("total", 2345L), 1, STARTED, FINISHED, List.of());
    }

    @Test
    void succeededRunIsOneEmfRecordWithEveryCountItsStateSizeAndOutcome() throws Exception {
        RunReport r = report(RunReport.Outcome.SUCCEEDED, true).withStateSizeBytes(4096);
        String expected = """
                {"log":"run_metrics","request_id":"req-1",
                 "_aws":{"Timestamp":1775037602345,"CloudWatchMetrics":[{"Namespace":"sessionlake",
                  "Dimensions":[["Function"]],
                  "Metrics":[{"Name":"Lines","Unit":"Count"},{"Name":"Accepted","Unit":"Count"},
                   {"Name":"Anonymous","Unit":"Count"},{"Name":"Duplicate","Unit":"Count"},
                   {"Name":"Late","Unit":"Count"},{"Name":"Rejected","Unit":"Count"},
                   {"Name":"Revisions","Unit":"Count"},{"Name":"RunDuration","Unit":"Milliseconds"},
                   {"Name":"StateSizeBytes","Unit":"Bytes"},{"Name":"RunsSucceeded","Unit":"Count"},
                   {"Name":"RunsFailed","Unit":"Count"},{"Name":"RunsSkipped","Unit":"Count"}]}]},
                 "Function":"stack-processor","run_id":"run-1","key":"events/a.jsonl","outcome":"succeeded",
                 "Lines":100,"Accepted":90,"Anonymous":4,"Duplicate":3,"Late":2,"Rejected":1,"Revisions":9,
                 "RunDuration":2345,"StateSizeBytes":4096,"RunsSucceeded":1,"RunsFailed":0,"RunsSkipped":0}""";
        assertEquals(JSON.readTree(expected).toString(), RunMetricsLine.of(r, "stack-processor", "req-1").toString());
    }

    @Test
    void failedRunCountsOneFailureAndNoStateSize() throws Exception {
        JsonNode line = RunMetricsLine.of(report(RunReport.Outcome.FAILED, false), "f", "req-2");
        assertEquals(List.of(0L, 1L, 0L, 0L, 0L), List.of(line.get("RunsSucceeded").asLong(),
                line.get("RunsFailed").asLong(), line.get("RunsSkipped").asLong(), line.get("Lines").asLong(),
                line.get("Revisions").asLong()));
        assertEquals(false, line.has("StateSizeBytes"));
        assertEquals(false, line.get("_aws").toString().contains("StateSizeBytes"));
    }

    @Test
    void skippedRunCountsOneSkip() {
        JsonNode line = RunMetricsLine.of(report(RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, false), "f", "r");
        assertEquals(List.of(0L, 0L, 1L), List.of(line.get("RunsSucceeded").asLong(),
                line.get("RunsFailed").asLong(), line.get("RunsSkipped").asLong()));
    }

    @Test
    void withoutAFunctionNameTheMetricsHaveNoDimension() {
        JsonNode line = RunMetricsLine.of(report(RunReport.Outcome.SUCCEEDED, true), null, "r");
        assertEquals("[[]]", line.at("/_aws/CloudWatchMetrics/0/Dimensions").toString());
        assertEquals(false, line.has("Function"));
    }
}
