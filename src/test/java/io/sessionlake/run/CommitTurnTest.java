package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.session.SessionConfig;
import io.sessionlake.store.ConcurrentUpdateException;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.InterceptingStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that keeps losing the commit race to shorter runs claims the turn after three losses, and the others let it
 * commit; a turn left behind delays commits only until it expires; the holder always gives it back.
 */
class CommitTurnTest {
    private static final RunSettings TEN_ATTEMPTS = new RunSettings("events/", SessionConfig.DEFAULT, 1 << 20,
            RunSettings.defaults().parquetCodec(), 10);

    @TempDir
    Path tmp;

    private static String lines(int firstId, int count, int customer) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            b.append("{\"id\": ").append(firstId + i).append(", \"type\": \"search\", \"event\": {\"customer-id\": ")
                    .append(customer + i % 5).append(", \"timestamp\": \"2022-04-01T10:").append(String.format("%02d", i % 60))
                    .append(":00\", \"query\": \"lamp\"}}\n");
        }
        return b.toString();
    }

    private static void put(ObjectStore store, String key, String content) throws Exception {
        store.put(key, content.getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
    }

    private static void putTurn(ObjectStore store, String runId, Instant until) throws Exception {
        store.put(Layout.TURN_KEY, ("{\"run_id\": \"" + runId + "\", \"until\": \"" + until + "\"}")
                .getBytes(StandardCharsets.UTF_8), "application/json");
    }

    @Test
    void aRunThatKeepsLosingToShorterRunsClaimsTheTurnAndTheOthersLetItCommit() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("starved"));
        put(bucket, "events/long.jsonl", lines(1, 200, 1));
        for (int c = 1; c <= 10; c++) {
            put(bucket, "events/short-" + c + ".jsonl", lines(10_000 + c, 1, 100 + c));
        }
        Thread starved = Thread.currentThread();
        String longRunId = RunIds.of("events/long.jsonl", bucket.stat("events/long.jsonl").orElseThrow().etag());
        AtomicInteger shorts = new AtomicInteger();
        List<RunReport> shortReports = Collections.synchronizedList(new ArrayList<>());
        List<Thread> waiting = new ArrayList<>();
        List<Boolean> turnHeldAtCommit = new ArrayList<>();
        // before each commit of the long run, a short run starts on another processor and is given the time to
        // commit first: the long run loses every race it is let lose
        ObjectStore racing = new InterceptingStore(bucket, key -> {
            if (!key.equals(Layout.STATE_KEY) || Thread.currentThread() != starved || shorts.get() >= 10) {
                return;
            }
            boolean held = new CommitTurn(bucket, Clock.systemUTC()).read()
                    .filter(t -> t.runId().equals(longRunId)).isPresent();
            turnHeldAtCommit.add(held);
            String shortKey = "events/short-" + shorts.incrementAndGet() + ".jsonl";
            Thread shortRun = new Thread(() -> shortReports.add(
                    new ObjectProcessor(bucket, TEN_ATTEMPTS, Clock.systemUTC()).process(shortKey)));
            shortRun.start();
            try {
                shortRun.join(held ? 1_000 : 60_000);
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            if (shortRun.isAlive()) {
                waiting.add(shortRun);
            }
        });

        RunReport r = new ObjectProcessor(racing, TEN_ATTEMPTS, Clock.systemUTC()).process("events/long.jsonl");
        for (Thread t : waiting) {
            t.join(60_000);
        }

        assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), r.error());
        assertEquals(CommitTurn.CLAIM_AFTER_LOSSES + 1, r.attempts(), "three races lost, then the turn");
        assertEquals(List.of(false, false, false, true), turnHeldAtCommit);
        assertEquals(1, waiting.size(), "the short run beside the turn's holder waited for it");
        assertEquals(4, shortReports.size());
        for (RunReport s : shortReports) {
            assertEquals(RunReport.Outcome.SUCCEEDED, s.outcome(), s.error());
        }
        RunReport afterTheHolder = shortReports.get(3);
        assertTrue(afterTheHolder.stateSequence() > r.stateSequence(), "the waiting run committed after the holder");
        // it waited, then (having loaded the state before the holder committed) lost once to the holder and redid
        assertTrue(afterTheHolder.attempts() <= 2, afterTheHolder.toString());
        assertFalse(bucket.stat(Layout.TURN_KEY).isPresent(), "the holder gave the turn back");
    }

    @Test
    void aTurnLeftByACrashedRunDelaysACommitOnlyUntilItExpires() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("crashed"));
        put(bucket, "events/a.jsonl", lines(1, 3, 1));
        putTurn(bucket, "a-run-that-crashed", Instant.now().plusMillis(1_200));

        long t0 = System.nanoTime();
        RunReport r = new ObjectProcessor(bucket, RunSettings.defaults(), Clock.systemUTC()).process("events/a.jsonl");
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;

        assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), r.error());
        assertTrue(r.timingsMillis().get("wait_for_turn") >= 900, r.timingsMillis().toString());
        assertTrue(tookMillis < CommitTurn.MIN_HOLD.toMillis(), tookMillis + " ms");
    }

    @Test
    void aClockThatStandsStillStillEndsTheWaitAfterTheHoldSeenOnArrival() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("still"));
        put(bucket, "events/a.jsonl", lines(1, 3, 1));
        putTurn(bucket, "a-run-that-crashed", Buckets.FIXED_CLOCK.instant().plusMillis(800));

        RunReport r = new ObjectProcessor(bucket, RunSettings.defaults(), Buckets.FIXED_CLOCK).process("events/a.jsonl");

        assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), r.error());
        assertTrue(r.timingsMillis().get("wait_for_turn") >= 700, r.timingsMillis().toString());
    }

    @Test
    void anUnreadableTurnCountsAsExpired() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("unreadable"));
        put(bucket, "events/a.jsonl", lines(1, 3, 1));
        bucket.put(Layout.TURN_KEY, "not json".getBytes(StandardCharsets.UTF_8), "application/json");

        RunReport r = new ObjectProcessor(bucket, RunSettings.defaults(), Clock.systemUTC()).process("events/a.jsonl");

        assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), r.error());
        assertFalse(r.timingsMillis().containsKey("wait_for_turn"), r.timingsMillis().toString());
    }

    @Test
    void aHolderThatGivesUpGivesTheTurnBack() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("gives-up"));
        put(bucket, "events/a.jsonl", lines(1, 3, 1));
        String runId = RunIds.of("events/a.jsonl", bucket.stat("events/a.jsonl").orElseThrow().etag());
        List<Boolean> held = new ArrayList<>();
        ObjectStore alwaysLosing = new InterceptingStore(bucket, key -> {
            if (key.equals(Layout.STATE_KEY)) {
                held.add(new CommitTurn(bucket, Clock.systemUTC()).read().filter(t -> t.runId().equals(runId)).isPresent());
                throw new ConcurrentUpdateException(key); // another run always commits first
            }
        });
        RunSettings fiveAttempts = new RunSettings("events/", SessionConfig.DEFAULT, 1 << 20,
                RunSettings.defaults().parquetCodec(), 5);

        RunReport r = new ObjectProcessor(alwaysLosing, fiveAttempts, Clock.systemUTC()).process("events/a.jsonl");

        assertEquals(FailureCause.COMMIT_RACE, r.cause());
        assertEquals(List.of(false, false, false, true, true), held, "claimed after three losses, renewed after four");
        assertFalse(bucket.stat(Layout.TURN_KEY).isPresent(), "given back when the run gave up");
    }
}
