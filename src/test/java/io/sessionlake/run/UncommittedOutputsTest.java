package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.Downloads;
import io.sessionlake.testing.DuckDb;
import io.sessionlake.testing.InterceptingStore;
import io.sessionlake.testing.S3Server;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attempt that fails after writing its outputs, then another object commits, then the retry commits under
 * the next revision (SPEC 6: readers never see half of a run; clean events counted once). The retry must
 * remove what the failed attempt wrote, also in partitions the retry itself no longer writes.
 */
class UncommittedOutputsTest {
    /** What attempts write before the commit: data objects and the state's leaves (the manifest is the commit). */
    private static final String[] OUTPUTS = {"sessions/", "clean_events/", "rejected/", "state/customers/", "state/ids/"};
    private static final String X = "events/x.jsonl";
    private static final String Y = "events/y.jsonl";

    @TempDir
    Path tmp;

    /**
     * X: customer 1 on 04-20 and customer 2 on 04-21 (event 50). Y: the same event 50 (so X's retry finds it a
     * duplicate and writes nothing for 04-21 any more) and an earlier event of customer 1 (so X's retry revises
     * Y's session rather than writing a session of its own). A leftover of X's first attempt would count event
     * 50 twice and tie with Y's session of customer 2 on revision 1.
     */
    private static void fill(ObjectStore store) throws IOException {
        store.put(X, (line(1, 1, "2022-04-20T10:00:00") + line(2, 1, "2022-04-20T10:05:00") + line(50, 2, "2022-04-21T12:00:00")
                + "not json\n").getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        store.put(Y, (line(50, 2, "2022-04-21T12:00:00") + line(3, 1, "2022-04-20T09:50:00"))
                .getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
    }

    private static String line(long id, long customer, String time) {
        return "{\"id\": " + id + ", \"type\": \"page_view\", \"event\": {\"customer-id\": " + customer
                + ", \"timestamp\": \"" + time + "\", \"page\": \"/p" + id + "\"}}\n";
    }

    private static ObjectProcessor processor(ObjectStore store) {
        return new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK);
    }

    /** A store whose first state commit fails, after the attempt wrote every output. */
    private static ObjectStore failingFirstCommit(ObjectStore real) {
        AtomicBoolean once = new AtomicBoolean(true);
        return new InterceptingStore(real, key -> {
            if (key.equals(Layout.STATE_KEY) && once.getAndSet(false)) {
                throw new IOException("simulated: S3 unreachable at the commit");
            }
        });
    }

    @Test
    void retryAfterAnotherObjectCommittedRemovesTheFailedAttemptsOutputs() throws Exception {
        Path cleanDir = tmp.resolve("uninterrupted");
        LocalFolderStore clean = new LocalFolderStore(cleanDir);
        fill(clean);
        assertEquals(RunReport.Outcome.SUCCEEDED, processor(clean).process(Y).outcome());
        assertEquals(RunReport.Outcome.SUCCEEDED, processor(clean).process(X).outcome());

        Path bucketDir = tmp.resolve("interrupted");
        LocalFolderStore bucket = new LocalFolderStore(bucketDir);
        fill(bucket);
        scenario(bucket, failingFirstCommit(bucket));

        assertSameOutputs(clean, bucket);
        assertCountedOnceAndSessionsEqual(cleanDir, bucketDir);
    }

    @Test
    void retryAfterAnotherObjectCommittedRemovesTheFailedAttemptsOutputsOnS3() throws Exception {
        ObjectStore clean = S3Server.shared().newBucket("uncommitted-clean");
        fill(clean);
        processor(clean).process(Y);
        processor(clean).process(X);

        ObjectStore bucket = S3Server.shared().newBucket("uncommitted");
        fill(bucket);
        scenario(bucket, failingFirstCommit(bucket));

        assertSameOutputs(clean, bucket);
        assertCountedOnceAndSessionsEqual(Downloads.mirror(clean, tmp.resolve("clean"), OUTPUTS),
                Downloads.mirror(bucket, tmp.resolve("bucket"), OUTPUTS));
    }

    @Test
    void leftoversTheCommitCouldNotRemoveAreRemovedByTheNextDelivery() throws Exception {
        Path cleanDir = tmp.resolve("uninterrupted");
        LocalFolderStore clean = new LocalFolderStore(cleanDir);
        fill(clean);
        processor(clean).process(Y);
        processor(clean).process(X);

        Path bucketDir = tmp.resolve("deletes-fail");
        LocalFolderStore bucket = new LocalFolderStore(bucketDir);
        fill(bucket);
        RunReport first = processor(failingFirstCommit(bucket)).process(X);
        List<String> leftBehind = keys(bucket);
        processor(bucket).process(Y);
        ObjectStore noDeletes = new InterceptingStore(bucket, k -> { }) {
            @Override
            public void delete(String key) throws IOException {
                throw new IOException("simulated: S3 refused the delete of " + key);
            }
        };
        RunReport retry = processor(noDeletes).process(X);
        assertEquals(RunReport.Outcome.SUCCEEDED, retry.outcome(), retry.error());
        assertTrue(retry.warnings().stream().anyMatch(w -> w.startsWith("could not remove outputs")), retry.warnings().toString());
        JsonNode report = new ObjectMapper().readTree(bucket.read(Layout.runReportKey(first.runId())).orElseThrow().bytes());
        assertEquals("succeeded", report.get("outcome").asText());
        assertEquals(named(leftBehind), sorted(report.get(RunRecords.PENDING).get("1")), "still named: " + report);

        RunReport again = processor(bucket).process(X);
        assertEquals(RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, again.outcome());
        assertTrue(again.warnings().stream().anyMatch(w -> w.contains("removed outputs of attempts that did not commit")),
                again.warnings().toString());
        report = new ObjectMapper().readTree(bucket.read(Layout.runReportKey(first.runId())).orElseThrow().bytes());
        assertFalse(report.has(RunRecords.PENDING), report.toString());
        assertEquals(retry.outputs(), inOrder(report.get("outputs")), "the committed outputs stay named");
        assertSameOutputs(clean, bucket);
        assertCountedOnceAndSessionsEqual(cleanDir, bucketDir);
    }

    private static List<String> inOrder(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    /**
     * Two attempts of X at once from different states: A loads the empty state; before A's first upload, Y
     * commits and B processes X from Y's state and commits it (B's cleanup finds none of A's keys yet). A's
     * uploads land after that, its commit loses, and it must remove them: the report names another revision.
     */
    @Test
    void anAttemptOvertakenByACommitOfTheSameObjectFromAnotherStateRemovesItsOutputs() throws Exception {
        Path cleanDir = tmp.resolve("uninterrupted");
        LocalFolderStore clean = new LocalFolderStore(cleanDir);
        fill(clean);
        processor(clean).process(Y);
        processor(clean).process(X);

        Path bucketDir = tmp.resolve("overtaken");
        LocalFolderStore bucket = new LocalFolderStore(bucketDir);
        fill(bucket);
        AtomicBoolean overtake = new AtomicBoolean(true);
        ObjectStore slow = new InterceptingStore(bucket, k -> { }) {
            @Override
            public void put(String key, Path file, String contentType) throws IOException {
                if (overtake.getAndSet(false)) {
                    assertEquals(RunReport.Outcome.SUCCEEDED, processor(bucket).process(Y).outcome());
                    RunReport b = processor(bucket).process(X);
                    assertEquals(RunReport.Outcome.SUCCEEDED, b.outcome(), b.error());
                    assertEquals(2, b.stateSequence());
                }
                super.put(key, file, contentType);
            }
        };
        RunReport a = processor(slow).process(X);
        assertEquals(RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, a.outcome(), a.error());
        assertEquals(2, a.attempts(), "lost the commit, then found the object in the ledger");

        assertSameOutputs(clean, bucket);
        assertCountedOnceAndSessionsEqual(cleanDir, bucketDir);
    }

    @Test
    void aReportCanOnlyMakeARunRemoveItsOwnOutputs() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("edited"));
        fill(bucket);
        assertEquals(RunReport.Outcome.SUCCEEDED, processor(bucket).process(Y).outcome());
        String y = Layout.sessionsKey(java.time.LocalDate.parse("2022-04-21"), 1, RunIds.of(Y, bucket.stat(Y).orElseThrow().etag()));
        assertTrue(bucket.stat(y).isPresent());
        String x = RunIds.of(X, bucket.stat(X).orElseThrow().etag());
        String mine = Layout.cleanEventsKey(java.time.LocalDate.parse("2022-04-21"), 7, x);
        bucket.put(mine, new byte[] {1}, "application/vnd.apache.parquet");
        bucket.put(Layout.runReportKey(x), ("{\"outcome\": \"failed\", \"" + RunRecords.PENDING + "\": {\"7\": [\""
                + Layout.STATE_KEY + "\", \"" + X + "\", \"" + y + "\", \"" + mine + "\"], \"x\": [\"" + Y + "\"]}}")
                .getBytes(StandardCharsets.UTF_8), "application/json");

        assertEquals(RunReport.Outcome.SUCCEEDED, processor(bucket).process(X).outcome());
        assertTrue(bucket.stat(mine).isEmpty(), "X's own leftover goes");
        for (String other : List.of(Layout.STATE_KEY, X, Y, y)) {
            assertTrue(bucket.stat(other).isPresent(), other + " is no output of X and stays");
        }
    }

    /** X fails after writing, Y commits, X's retry commits. */
    private static void scenario(ObjectStore real, ObjectStore failing) throws Exception {
        RunReport first = processor(failing).process(X);
        assertEquals(RunReport.Outcome.FAILED, first.outcome());
        assertTrue(first.retryable());
        List<String> leftBehind = keys(real);
        assertTrue(leftBehind.contains("clean_events/dt=2022-04-21/r000000000001-" + first.runId() + ".parquet"),
                "the failed attempt wrote its outputs: " + leftBehind);
        assertTrue(leftBehind.contains("state/customers/pack-r000000000001-" + first.runId() + ".bin"),
                "and its state leaves: " + leftBehind);
        JsonNode failedReport = new ObjectMapper().readTree(real.read(Layout.runReportKey(first.runId())).orElseThrow().bytes());
        assertEquals("failed", failedReport.get("outcome").asText());
        assertEquals(named(leftBehind), sorted(failedReport.get(RunRecords.PENDING).get("1")), "the report names them");

        assertEquals(RunReport.Outcome.SUCCEEDED, processor(real).process(Y).outcome());
        RunReport retry = processor(real).process(X);
        assertEquals(RunReport.Outcome.SUCCEEDED, retry.outcome(), retry.error());
        assertEquals(2, retry.stateSequence());
        assertEquals(List.of(), retry.warnings());
        for (String k : leftBehind) {
            assertTrue(real.stat(k).isEmpty(), k + " of the failed attempt is gone");
        }
        JsonNode report = new ObjectMapper().readTree(real.read(Layout.runReportKey(first.runId())).orElseThrow().bytes());
        assertEquals("succeeded", report.get("outcome").asText());
        assertFalse(report.has(RunRecords.PENDING), report.toString());
    }

    private static List<String> keys(ObjectStore store) throws IOException {
        return java.util.Arrays.stream(OUTPUTS).flatMap(p -> {
            try {
                return store.list(p).stream().map(ObjectStore.ObjectInfo::key);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).sorted().toList();
    }

    /** Keys as a report names them: one by one, the state's packs too. */
    private static List<String> named(List<String> keys) {
        return keys.stream().distinct().sorted().toList();
    }

    private static List<String> sorted(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).sorted()
                .collect(Collectors.toList());
    }

    /** Every output file is one a committed run wrote: the same keys and bytes as the uninterrupted order Y, X. */
    private static void assertSameOutputs(ObjectStore expectedStore, ObjectStore actualStore) throws IOException {
        TreeMap<String, byte[]> expected = Buckets.outputs(expectedStore, OUTPUTS);
        TreeMap<String, byte[]> actual = Buckets.outputs(actualStore, OUTPUTS);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    private static void assertCountedOnceAndSessionsEqual(Path expected, Path actual) throws Exception {
        try (DuckDb db = new DuckDb()) {
            Map<String, Object> counts = db.query("SELECT count(*) n, count(DISTINCT event_id) ids FROM read_parquet('"
                    + actual + "/clean_events/*/*.parquet')").get(0);
            assertEquals(4L, counts.get("n"), "events 1, 2, 3 and 50, each once: " + counts);
            assertEquals(counts.get("n"), counts.get("ids"));
            String columns = "session_id, customer_id, session_start, session_end, event_count, session_number, revision";
            List<Map<String, Object>> want = db.query("SELECT " + columns + " FROM (" + DuckDb.currentSessionsSql(expected)
                    + ") ORDER BY session_id");
            List<Map<String, Object>> got = db.query("SELECT " + columns + " FROM (" + DuckDb.currentSessionsSql(actual)
                    + ") ORDER BY session_id");
            assertEquals(2, want.size(), want.toString());
            assertEquals(want, got);
        }
    }
}
