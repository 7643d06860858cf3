package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.store.S3Store;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.Downloads;
import io.sessionlake.testing.DuckDb;
import io.sessionlake.testing.InterceptingStore;
import io.sessionlake.testing.S3Server;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline against a real S3 protocol server: golden example, redelivery, crash, race, corruption. */
class S3PipelineTest {
    private static final List<String> GOLDEN = List.of("events/events-1.jsonl", "events/events-2.jsonl",
            "events/events-3.jsonl");
    private static final String[] OUTPUTS = {"sessions/", "clean_events/", "rejected/"};

    @TempDir
    Path tmp;

    private static S3Store goldenBucket() throws Exception {
        S3Store store = S3Server.shared().newBucket("pipeline");
        for (String key : GOLDEN) {
            store.put(key, Buckets.resource("/golden/" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "application/x-ndjson");
        }
        return store;
    }

    private static ObjectProcessor processor(ObjectStore store) {
        return new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK);
    }

    @Test
    void goldenExampleThroughS3GivesTheExpectedSessionsAndMetrics() throws Exception {
        S3Store store = goldenBucket();
        for (String key : GOLDEN) {
            assertEquals(RunReport.Outcome.SUCCEEDED, processor(store).process(key).outcome());
        }
        JsonNode expected = new ObjectMapper().readTree(Buckets.resource("/golden/expected-summary.json")).get("metrics");
        JsonNode metrics = new ObjectMapper().readTree(store.read(Layout.METRICS_KEY).orElseThrow().bytes());
        expected.fieldNames().forEachRemaining(f -> assertEquals(expected.get(f).asDouble(), metrics.get(f).asDouble(), 0.0, f));
        Path local = Downloads.mirror(store, tmp, OUTPUTS);
        try (DuckDb db = new DuckDb()) {
            assertEquals(10L, db.query("SELECT count(*) n FROM (" + DuckDb.currentSessionsSql(local) + ")").get(0).get("n"));
        }
    }

    @Test
    void redeliveredEventIsSkippedAndWritesNothing() throws Exception {
        S3Store store = goldenBucket();
        processor(store).process(GOLDEN.get(0));
        TreeMap<String, byte[]> before = Buckets.outputs(store, "sessions/", "clean_events/", "state/", "metrics/", "runs/");
        assertEquals(RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, processor(store).process(GOLDEN.get(0)).outcome());
        TreeMap<String, byte[]> after = Buckets.outputs(store, "sessions/", "clean_events/", "state/", "metrics/", "runs/");
        assertEquals(before.keySet(), after.keySet());
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
    }

    @Test
    void crashBeforeTheStateCommitThenRetryRewritesTheSameObjects() throws Exception {
        S3Store clean = goldenBucket();
        GOLDEN.forEach(k -> processor(clean).process(k));

        S3Store crashed = goldenBucket();
        AtomicBoolean crash = new AtomicBoolean(true);
        ObjectStore failing = new InterceptingStore(crashed, key -> {
            if (key.equals(Layout.STATE_KEY) && crash.getAndSet(false)) {
                throw new IOException("simulated crash before the state commit");
            }
        });
        RunReport first = processor(failing).process(GOLDEN.get(0));
        assertEquals(RunReport.Outcome.FAILED, first.outcome());
        assertTrue(first.retryable());
        assertTrue(crashed.stat(Layout.STATE_KEY).isEmpty());
        assertFalse(crashed.list("clean_events/").isEmpty(), "the crash came after the outputs were written");
        GOLDEN.forEach(k -> assertEquals(RunReport.Outcome.SUCCEEDED, processor(failing).process(k).outcome()));

        TreeMap<String, byte[]> expected = Buckets.outputs(clean, OUTPUTS);
        TreeMap<String, byte[]> actual = Buckets.outputs(crashed, OUTPUTS);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    @Test
    void twoInvocationsAtOnceBothLandThroughConditionalWrites() throws Exception {
        S3Store store = goldenBucket();
        ObjectStore racing = InterceptingStore.withRacingCommits(store);
        CompletableFuture<RunReport> a = CompletableFuture.supplyAsync(() -> processor(racing).process(GOLDEN.get(0)));
        CompletableFuture<RunReport> b = CompletableFuture.supplyAsync(() -> processor(racing).process(GOLDEN.get(1)));
        RunReport ra = a.get(60, TimeUnit.SECONDS);
        RunReport rb = b.get(60, TimeUnit.SECONDS);
        assertEquals(RunReport.Outcome.SUCCEEDED, ra.outcome(), ra.error());
        assertEquals(RunReport.Outcome.SUCCEEDED, rb.outcome(), rb.error());
        assertEquals(3, ra.attempts() + rb.attempts(), "one run lost the conditional write and redid its work");
        assertEquals(RunReport.Outcome.SUCCEEDED, processor(store).process(GOLDEN.get(2)).outcome());
        JsonNode metrics = new ObjectMapper().readTree(store.read(Layout.METRICS_KEY).orElseThrow().bytes());
        assertEquals(10, metrics.get("sessions").asInt());
        assertEquals(3, metrics.get("state_sequence").asInt());
        Path local = Downloads.mirror(store, tmp, OUTPUTS);
        try (DuckDb db = new DuckDb()) {
            assertEquals(20L, db.query("SELECT count(*) n FROM read_parquet('" + local
                    + "/clean_events/*/*.parquet')").get(0).get("n"), "no event was written twice");
        }
    }

    @Test
    void corruptObjectFailsItsRunAndChangesNoOutputOrState() throws Exception {
        S3Store store = goldenBucket();
        processor(store).process(GOLDEN.get(0));
        TreeMap<String, byte[]> before = Buckets.outputs(store, "sessions/", "clean_events/", "state/", "metrics/");
        byte[] gz = FailurePathsTest.gzip(Buckets.resource("/golden/events/events-2.jsonl")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        store.put("events/broken.jsonl.gz", Arrays.copyOf(gz, gz.length / 2), "application/gzip");
        RunReport r = processor(store).process("events/broken.jsonl.gz");
        assertEquals(RunReport.Outcome.FAILED, r.outcome());
        assertFalse(r.retryable());
        TreeMap<String, byte[]> after = Buckets.outputs(store, "sessions/", "clean_events/", "state/", "metrics/");
        assertEquals(before.keySet(), after.keySet());
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
        assertTrue(new String(store.read(Layout.runReportKey(r.runId())).orElseThrow().bytes()).contains("corrupt gzip"));
    }
}
