package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.session.SessionConfig;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.InterceptingStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once the state is committed, the run has happened: failing to publish the metrics or to record the report
 * makes warnings, never a failed run; a later run or a later delivery of the object repairs them. A delivery
 * of a committed object with nothing to repair writes nothing.
 */
class AfterCommitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIRST = "events/events-1.jsonl";
    private static final String SECOND = "events/events-2.jsonl";

    @TempDir
    Path dir;

    private LocalFolderStore bucket;

    @BeforeEach
    void golden() throws IOException {
        Buckets.copyGolden(dir);
        bucket = new LocalFolderStore(dir);
    }

    /** The bucket, with every write recorded and the conditional writes whose key matches failing. */
    private static final class Faulty extends InterceptingStore {
        final List<String> writes = new ArrayList<>();

        Faulty(ObjectStore real, Predicate<String> failing) {
            super(real, key -> {
                if (failing.test(key)) {
                    throw new IOException("simulated: S3 refused the write of " + key);
                }
            });
        }

        @Override
        public void put(String key, byte[] bytes, String contentType) throws IOException {
            writes.add("PUT " + key);
            super.put(key, bytes, contentType);
        }

        @Override
        public void put(String key, Path file, String contentType) throws IOException {
            writes.add("PUT " + key);
            super.put(key, file, contentType);
        }

        @Override
        public String putIfUnchanged(String key, byte[] bytes, String expectedEtag, String contentType) throws IOException {
            writes.add("PUT " + key);
            return super.putIfUnchanged(key, bytes, expectedEtag, contentType);
        }

        @Override
        public void delete(String key) throws IOException {
            writes.add("DELETE " + key);
            super.delete(key);
        }
    }

    private static RunReport process(ObjectStore store, String key) {
        return new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK).process(key);
    }

    private JsonNode stored(String key) throws IOException {
        return JSON.readTree(bucket.read(key).orElseThrow().bytes());
    }

    private long stateSequence() throws IOException {
        return new StateRepository(bucket).load(SessionConfig.DEFAULT).state().sequence();
    }

    @Test
    void metricsThatCannotBePublishedLeaveTheRunSucceededAndCommitted() throws Exception {
        Faulty store = new Faulty(bucket, k -> k.equals(Layout.METRICS_KEY));
        RunReport r = process(store, FIRST);
        assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), r.error());
        assertEquals(1, stateSequence());
        assertTrue(bucket.read(Layout.METRICS_KEY).isEmpty());
        assertEquals(1, r.warnings().size(), r.warnings().toString());
        assertTrue(r.warnings().get(0).contains("publishing metrics/orders.json"), r.warnings().get(0));
        assertEquals(3, store.writes.stream().filter(w -> w.equals("PUT " + Layout.METRICS_KEY)).count(), "tried three times");
        JsonNode report = stored(Layout.runReportKey(r.runId()));
        assertEquals("succeeded", report.get("outcome").asText());
        assertEquals(r.warnings().get(0), report.get("warnings").get(0).asText());
    }

    @Test
    void theNextRunPublishesNewerMetrics() throws Exception {
        process(new Faulty(bucket, k -> k.equals(Layout.METRICS_KEY)), FIRST);
        assertEquals(RunReport.Outcome.SUCCEEDED, process(bucket, SECOND).outcome());
        assertEquals(2, stored(Layout.METRICS_KEY).get("state_sequence").asInt());
    }

    @Test
    void aRedeliveryPublishesMetricsTheCommittingRunCouldNot() throws Exception {
        process(new Faulty(bucket, k -> k.equals(Layout.METRICS_KEY)), FIRST);
        RunReport again = process(bucket, FIRST);
        assertEquals(RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, again.outcome());
        JsonNode metrics = stored(Layout.METRICS_KEY);
        assertEquals(1, metrics.get("state_sequence").asInt());
        assertEquals(5, metrics.get("sessions").asInt());
        assertTrue(again.warnings().stream().anyMatch(w -> w.startsWith("repaired metrics/orders.json")), again.warnings().toString());
    }

    @Test
    void aReportThatCannotBeRecordedLeavesTheRunSucceededAndARedeliveryRecordsIt() throws Exception {
        // the announcement before the uploads goes through; every write of the report after the commit fails
        AtomicInteger reportWrites = new AtomicInteger();
        Faulty store = new Faulty(bucket, k -> k.startsWith("runs/") && reportWrites.incrementAndGet() > 1);
        RunReport r = process(store, FIRST);
        assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), r.error());
        assertEquals(1, stateSequence());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("recording the run report")), r.warnings().toString());
        assertEquals(1, stored(Layout.METRICS_KEY).get("state_sequence").asInt(), "metrics were published");
        assertEquals("running", stored(Layout.runReportKey(r.runId())).get("outcome").asText());

        RunReport again = process(bucket, FIRST);
        assertEquals(RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, again.outcome());
        JsonNode report = stored(Layout.runReportKey(r.runId()));
        assertEquals("succeeded", report.get("outcome").asText());
        assertEquals(r.counts().accepted(), report.get("counts").get("accepted").asLong());
        assertEquals(1, report.get("state_sequence").asInt());
        assertEquals(r.outputs(), JSON.convertValue(report.get("outputs"), List.class));
        assertFalse(report.has(RunRecords.PENDING), "the committed outputs are not pending: " + report);
        for (String k : r.outputs()) {
            boolean present = bucket.stat(k).isPresent();
            assertTrue(present, k + " stays");
        }
    }

    @Test
    void aCommitWhoseAnswerWasLostIsRecordedAsSucceededByTheRedelivery() throws Exception {
        // the state write lands, but the caller hears an error: the run fails, retryable, with a failed report
        LocalFolderStore real = bucket;
        ObjectStore lostAnswer = new InterceptingStore(real, k -> { }) {
            @Override
            public String putIfUnchanged(String key, byte[] bytes, String expectedEtag, String type) throws IOException {
                String etag = super.putIfUnchanged(key, bytes, expectedEtag, type);
                if (key.equals(Layout.STATE_KEY)) {
                    throw new IOException("simulated: connection reset after the state was written");
                }
                return etag;
            }
        };
        RunReport first = process(lostAnswer, FIRST);
        assertEquals(RunReport.Outcome.FAILED, first.outcome());
        assertTrue(first.retryable());
        assertEquals(1, stateSequence(), "the commit landed");
        assertEquals("failed", stored(Layout.runReportKey(first.runId())).get("outcome").asText());

        RunReport again = process(real, FIRST);
        assertEquals(RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, again.outcome());
        JsonNode report = stored(Layout.runReportKey(first.runId()));
        assertEquals("succeeded", report.get("outcome").asText());
        assertFalse(report.has("error"), report.toString());
        assertEquals(9, report.get("counts").get("accepted").asInt(), report.toString());
        assertEquals(1, report.get("state_sequence").asInt());
        List<?> outputs = JSON.convertValue(report.get("outputs"), List.class);
        assertFalse(outputs.isEmpty());
        for (Object k : outputs) {
            String key = k.toString();
            boolean present = real.stat(key).isPresent();
            assertTrue(present, k + " is committed output and stays");
        }
        assertEquals(1, stored(Layout.METRICS_KEY).get("state_sequence").asInt(), "and the metrics are published");
    }

    @Test
    void aReportFromAnotherHistoryIsReplacedNotTakenForThisOne() throws Exception {
        RunReport r = process(bucket, FIRST);
        bucket.delete(Layout.STATE_KEY); // a rebuild: the state starts over, the reports stay
        RunReport rebuilt = process(bucket, FIRST);
        assertEquals(RunReport.Outcome.SUCCEEDED, rebuilt.outcome(), rebuilt.error());
        assertEquals(r.runId(), rebuilt.runId());
        assertEquals(1, stateSequence());
    }

    @Test
    void aRedeliveryWithNothingToRepairWritesNothing() throws Exception {
        process(bucket, FIRST);
        byte[] metrics = bucket.read(Layout.METRICS_KEY).orElseThrow().bytes();
        Faulty store = new Faulty(bucket, k -> false);
        RunReport again = process(store, FIRST);
        assertEquals(RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, again.outcome());
        assertEquals(List.of(), store.writes);
        assertEquals(List.of(), again.warnings());
        assertArrayEquals(metrics, bucket.read(Layout.METRICS_KEY).orElseThrow().bytes());
    }

    @Test
    void aRedeliveryAfterNewerRunsLeavesTheirMetricsAlone() throws Exception {
        process(bucket, FIRST);
        process(bucket, SECOND);
        Faulty store = new Faulty(bucket, k -> false);
        assertEquals(RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, process(store, FIRST).outcome());
        assertEquals(List.of(), store.writes);
        assertEquals(2, stored(Layout.METRICS_KEY).get("state_sequence").asInt());
    }
}
