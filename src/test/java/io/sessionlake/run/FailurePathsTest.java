package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.session.SessionConfig;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.DuckDb;
import io.sessionlake.testing.InterceptingStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What happens when things go wrong: crashes, redeliveries, races, corrupt objects (SPEC 2, 4, 6). */
class FailurePathsTest {
    private static final String[] OUTPUT_PREFIXES = {"sessions/", "clean_events/", "rejected/"};

    @TempDir
    Path tmp;

    private Path goldenBucket(String name) throws IOException {
        Path bucket = tmp.resolve(name);
        Buckets.copyGolden(bucket);
        return bucket;
    }

    @Test
    void crashBetweenOutputAndStateCommitThenRetryWritesTheSameObjects() throws Exception {
        Path clean = goldenBucket("clean");
        Buckets.processAll(new LocalFolderStore(clean), RunSettings.defaults());

        Path crashed = goldenBucket("crashed");
        AtomicBoolean crashOnce = new AtomicBoolean(true);
        ObjectStore store = new InterceptingStore(new LocalFolderStore(crashed), key -> {
            if (key.equals(Layout.STATE_KEY) && crashOnce.getAndSet(false)) {
                throw new IOException("simulated crash before the state commit");
            }
        });
        ObjectProcessor p = new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK);
        RunReport first = p.process("events/events-1.jsonl");
        assertEquals(RunReport.Outcome.FAILED, first.outcome());
        assertTrue(first.retryable());
        assertFalse(Files.exists(crashed.resolve(Layout.STATE_KEY)), "no state was committed");
        assertTrue(Files.isDirectory(crashed.resolve("clean_events")), "the crash came after the outputs were written");
        for (String key : List.of("events/events-1.jsonl", "events/events-2.jsonl", "events/events-3.jsonl")) {
            assertEquals(RunReport.Outcome.SUCCEEDED, p.process(key).outcome());
        }

        TreeMap<String, byte[]> expected = Buckets.outputs(new LocalFolderStore(clean), OUTPUT_PREFIXES);
        TreeMap<String, byte[]> actual = Buckets.outputs(new LocalFolderStore(crashed), OUTPUT_PREFIXES);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
        try (DuckDb db = new DuckDb()) {
            assertEquals(10L, db.query("SELECT count(*) n FROM (" + DuckDb.currentSessionsSql(crashed) + ")").get(0).get("n"));
            assertEquals(20L, db.query("SELECT count(*) n FROM read_parquet('" + crashed
                    + "/clean_events/*/*.parquet')").get(0).get("n"));
        }
    }

    @Test
    void redeliveredObjectIsSkipped() throws Exception {
        Path bucket = goldenBucket("redelivery");
        LocalFolderStore store = new LocalFolderStore(bucket);
        ObjectProcessor p = new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK);
        assertEquals(RunReport.Outcome.SUCCEEDED, p.process("events/events-1.jsonl").outcome());
        TreeMap<String, byte[]> before = Buckets.outputs(store, "sessions/", "clean_events/", "rejected/", "state/",
                "metrics/", "runs/");
        RunReport again = p.process("events/events-1.jsonl");
        assertEquals(RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, again.outcome());
        assertEquals(1, again.stateSequence());
        TreeMap<String, byte[]> after = Buckets.outputs(store, "sessions/", "clean_events/", "rejected/", "state/",
                "metrics/", "runs/");
        assertEquals(before.keySet(), after.keySet());
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
    }

    @Test
    void overwrittenObjectWithNewContentIsProcessedAgain() throws Exception {
        Path bucket = goldenBucket("overwrite");
        LocalFolderStore store = new LocalFolderStore(bucket);
        ObjectProcessor p = new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK);
        p.process("events/events-1.jsonl");
        Files.writeString(bucket.resolve("events/events-1.jsonl"), "{\"id\": 900, \"type\": \"page_view\","
                + " \"event\": {\"customer-id\": 900, \"timestamp\": \"2022-04-20T10:00:00\"}}\n");
        RunReport r = p.process("events/events-1.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome());
        assertEquals(1, r.counts().accepted());
    }

    @Test
    void twoRunsStartedAtOnceBothLand() throws Exception {
        Path sequential = goldenBucket("sequential");
        Buckets.processAll(new LocalFolderStore(sequential), RunSettings.defaults());

        Path racing = goldenBucket("racing");
        ObjectStore store = InterceptingStore.withRacingCommits(new LocalFolderStore(racing));
        ObjectProcessor p = new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK);
        CompletableFuture<RunReport> a = CompletableFuture.supplyAsync(() -> p.process("events/events-1.jsonl"));
        CompletableFuture<RunReport> b = CompletableFuture.supplyAsync(() -> p.process("events/events-2.jsonl"));
        RunReport ra = a.get(60, TimeUnit.SECONDS);
        RunReport rb = b.get(60, TimeUnit.SECONDS);
        assertEquals(RunReport.Outcome.SUCCEEDED, ra.outcome(), ra.error());
        assertEquals(RunReport.Outcome.SUCCEEDED, rb.outcome(), rb.error());
        assertEquals(3, ra.attempts() + rb.attempts(), "exactly one of the two lost the race and redid its run");
        assertEquals(RunReport.Outcome.SUCCEEDED, p.process("events/events-3.jsonl").outcome());

        try (DuckDb db = new DuckDb()) {
            String columns = "customer_id, session_start, session_end, event_count, session_number, session_id";
            List<Map<String, Object>> expected = db.query("SELECT " + columns + " FROM ("
                    + DuckDb.currentSessionsSql(sequential) + ") ORDER BY session_id");
            List<Map<String, Object>> actual = db.query("SELECT " + columns + " FROM ("
                    + DuckDb.currentSessionsSql(racing) + ") ORDER BY session_id");
            assertEquals(expected, actual);
            assertEquals(20L, db.query("SELECT count(*) n FROM read_parquet('" + racing
                    + "/clean_events/*/*.parquet')").get(0).get("n"), "the loser's first attempt left no events behind");
        }
        assertEquals(Files.readString(sequential.resolve(Layout.METRICS_KEY)).replaceAll("\"computed_at\".*\n", ""),
                Files.readString(racing.resolve(Layout.METRICS_KEY)).replaceAll("\"computed_at\".*\n", ""));
    }

    @Test
    void sameObjectDeliveredTwiceAtOnceKeepsTheWinnersOutput() throws Exception {
        Path bucket = goldenBucket("twice");
        ObjectStore store = InterceptingStore.withRacingCommits(new LocalFolderStore(bucket));
        ObjectProcessor p = new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK);
        CompletableFuture<RunReport> a = CompletableFuture.supplyAsync(() -> p.process("events/events-1.jsonl"));
        CompletableFuture<RunReport> b = CompletableFuture.supplyAsync(() -> p.process("events/events-1.jsonl"));
        List<RunReport.Outcome> outcomes = List.of(a.get(60, TimeUnit.SECONDS).outcome(), b.get(60, TimeUnit.SECONDS).outcome());
        assertTrue(outcomes.contains(RunReport.Outcome.SUCCEEDED) && outcomes.contains(RunReport.Outcome.SKIPPED_ALREADY_PROCESSED),
                outcomes.toString());
        try (DuckDb db = new DuckDb()) {
            assertEquals(5L, db.query("SELECT count(*) n FROM (" + DuckDb.currentSessionsSql(bucket) + ")").get(0).get("n"));
            assertEquals(9L, db.query("SELECT count(*) n FROM read_parquet('" + bucket
                    + "/clean_events/*/*.parquet')").get(0).get("n"), "the committed events are still there");
        }
    }

    @Test
    void truncatedGzipFailsTheObjectAndChangesNothing() throws Exception {
        Path bucket = goldenBucket("corrupt");
        LocalFolderStore store = new LocalFolderStore(bucket);
        ObjectProcessor p = new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK);
        p.process("events/events-1.jsonl");
        TreeMap<String, byte[]> before = Buckets.outputs(store, "sessions/", "clean_events/", "rejected/", "state/", "metrics/");
        byte[] gz = gzip(Files.readAllBytes(bucket.resolve("events/events-2.jsonl")));
        Files.write(bucket.resolve("events/events-4.jsonl.gz"), Arrays.copyOf(gz, gz.length - 30));

        RunReport r = p.process("events/events-4.jsonl.gz");
        assertEquals(RunReport.Outcome.FAILED, r.outcome());
        assertFalse(r.retryable());
        assertTrue(r.error().contains("corrupt gzip"), r.error());
        TreeMap<String, byte[]> after = Buckets.outputs(store, "sessions/", "clean_events/", "rejected/", "state/", "metrics/");
        assertEquals(before.keySet(), after.keySet());
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
        assertTrue(Files.readString(bucket.resolve(Layout.runReportKey(r.runId()))).contains("\"failed\""));
    }

    @Test
    void differentTimeoutThanTheStateFailsWithAClearError() throws Exception {
        Path bucket = goldenBucket("config");
        LocalFolderStore store = new LocalFolderStore(bucket);
        new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK).process("events/events-1.jsonl");
        RunReport r = new ObjectProcessor(store, RunSettings.defaults().withSessions(
                new SessionConfig(Duration.ofMinutes(45), Duration.ofDays(7))), Buckets.FIXED_CLOCK).process("events/events-2.jsonl");
        assertEquals(RunReport.Outcome.FAILED, r.outcome());
        assertFalse(r.retryable());
        assertTrue(r.error().contains("PT30M") && r.error().contains("PT45M"), r.error());
    }

    @Test
    void eventBehindTheHorizonIsLateAndKeptForReplay() throws Exception {
        Path bucket = tmp.resolve("late");
        Files.createDirectories(bucket.resolve("events"));
        Files.writeString(bucket.resolve("events/a.jsonl"), eventLine(1, "2022-04-20T10:00:00"));
        Files.writeString(bucket.resolve("events/b.jsonl"), eventLine(2, "2022-04-18T09:59:59") + eventLine(3, "2022-04-19T10:00:00"));
        List<RunReport> reports = Buckets.processAll(new LocalFolderStore(bucket),
                RunSettings.defaults().withSessions(new SessionConfig(Duration.ofMinutes(30), Duration.ofDays(1))));
        assertEquals(1, reports.get(1).counts().late());
        assertEquals(1, reports.get(1).counts().accepted());
        try (DuckDb db = new DuckDb()) {
            List<Map<String, Object>> rows = db.query("SELECT reason, raw FROM read_json('" + bucket
                    + "/rejected/*.jsonl', format='newline_delimited')");
            assertEquals(1, rows.size());
            assertEquals("late", rows.get(0).get("reason"));
            assertEquals(eventLine(2, "2022-04-18T09:59:59").trim(), rows.get(0).get("raw"));
        }
    }

    @Test
    void unreadableStateFailsWithAClearErrorAndIsLeftAlone() throws Exception {
        Path bucket = goldenBucket("bad-state");
        Files.createDirectories(bucket.resolve("state"));
        Files.writeString(bucket.resolve(Layout.STATE_KEY), "not a state");
        RunReport r = new ObjectProcessor(new LocalFolderStore(bucket), RunSettings.defaults(), Buckets.FIXED_CLOCK)
                .process("events/events-1.jsonl");
        assertEquals(RunReport.Outcome.FAILED, r.outcome());
        assertFalse(r.retryable());
        assertTrue(r.error().contains(Layout.STATE_KEY) && r.error().contains("cannot be read"), r.error());
        assertEquals("not a state", Files.readString(bucket.resolve(Layout.STATE_KEY)));
        assertFalse(Files.exists(bucket.resolve("sessions")), "nothing was written");
    }

    @Test
    void aTruncatedOrGarbledStateFailsWithAClearError() throws Exception {
        Path good = goldenBucket("good-state");
        new ObjectProcessor(new LocalFolderStore(good), RunSettings.defaults(), Buckets.FIXED_CLOCK)
                .process("events/events-1.jsonl");
        byte[] state = Files.readAllBytes(good.resolve(Layout.STATE_KEY));
        byte[] truncated = java.util.Arrays.copyOf(state, state.length / 2);
        byte[] garbled = state.clone();
        for (int i = 8; i < garbled.length; i += 3) {
            garbled[i] ^= 0x5A;
        }
        for (byte[] bad : List.of(truncated, garbled)) {
            Path bucket = goldenBucket("broken-state-" + bad.length + "-" + bad[bad.length - 1]);
            Files.createDirectories(bucket.resolve("state"));
            Files.write(bucket.resolve(Layout.STATE_KEY), bad);
            RunReport r = new ObjectProcessor(new LocalFolderStore(bucket), RunSettings.defaults(),
                    Buckets.FIXED_CLOCK).process("events/events-2.jsonl");
            assertEquals(RunReport.Outcome.FAILED, r.outcome());
            assertFalse(r.retryable());
            assertTrue(r.error().contains("cannot be read"), r.error());
            assertArrayEquals(bad, Files.readAllBytes(bucket.resolve(Layout.STATE_KEY)), "the state is left alone");
        }
    }

    @Test
    void objectDeletedBeforeItsRunFailsWithoutRetry() throws Exception {
        Path bucket = goldenBucket("deleted");
        RunReport r = new ObjectProcessor(new LocalFolderStore(bucket), RunSettings.defaults(), Buckets.FIXED_CLOCK)
                .process("events/gone.jsonl");
        assertEquals(RunReport.Outcome.FAILED, r.outcome());
        assertFalse(r.retryable());
        assertTrue(r.error().contains("no object events/gone.jsonl"), r.error());
    }

    static String eventLine(long id, String timestamp) {
        return "{\"id\": " + id + ", \"type\": \"page_view\", \"event\": {\"customer-id\": 1, \"timestamp\": \""
                + timestamp + "\", \"page\": \"/\"}}\n";
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
