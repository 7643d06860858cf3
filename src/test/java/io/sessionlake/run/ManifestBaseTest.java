package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.session.LeafRef;
import io.sessionlake.session.ManifestLeaves;
import io.sessionlake.session.StateSeal;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.InterceptingStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest's customer leaves on a base: a run lists only the leaves that differ from the base, writes a new base
 * when those outgrow an eighth of it, a processor keeps the base it wrote or read, the old base goes after the grace
 * period, and a base that is damaged or missing is refused or read again as the manifest it belongs to says.
 */
class ManifestBaseTest {
    /** Leaves of one customer, every state on a base. */
    private static final StateSeal.LeafTargets ON_A_BASE = new StateSeal.LeafTargets(1, 8).listing(0);
    /** The same leaves, every one listed in the manifest. */
    private static final StateSeal.LeafTargets LISTED = new StateSeal.LeafTargets(1, 8).listing(Integer.MAX_VALUE);

    @TempDir
    Path tmp;

    private static String line(long id, long customer, String time) {
        return "{\"id\": " + id + ", \"type\": \"page_view\", \"event\": {\"customer-id\": " + customer
                + ", \"timestamp\": \"2022-04-20T" + time + "\", \"page\": \"/p" + id + "\"}}\n";
    }

    /** Customers {@code from} to {@code to}, one event each at {@code time}, ids from {@code firstId} on. */
    private static String customers(long firstId, int from, int to, String time) {
        StringBuilder all = new StringBuilder();
        for (int c = from; c <= to; c++) {
            all.append(line(firstId + c - from, c, time));
        }
        return all.toString();
    }

    /**
     * a: customers 1 to 40 (40 leaves, a base of them); b and c: customer 7 (one leaf differs, then still one); all:
     * every customer (40 differ, more than an eighth: a new base); e: customer 1.
     */
    private static void fill(ObjectStore store) throws IOException {
        put(store, "events/a.jsonl", customers(1, 1, 40, "10:00:00"));
        put(store, "events/b.jsonl", line(41, 7, "11:00:00"));
        put(store, "events/c.jsonl", line(42, 7, "11:05:00"));
        put(store, "events/d.jsonl", customers(100, 1, 40, "11:10:00"));
        put(store, "events/e.jsonl", line(43, 1, "11:15:00"));
    }

    /** A bucket of its own under the test's folder, with the objects of {@link #fill}. */
    private LocalFolderStore filled(String name) throws IOException {
        LocalFolderStore store = new LocalFolderStore(tmp.resolve(name));
        fill(store);
        return store;
    }

    private static void put(ObjectStore store, String key, String content) throws IOException {
        store.put(key, content.getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
    }

    private static ObjectProcessor processor(ObjectStore store, StateSeal.LeafTargets targets, Duration grace) {
        return new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK, targets, grace);
    }

    private static RunReport succeeded(ObjectProcessor p, String key) {
        RunReport r = p.process(key);
        assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), key + ": " + r.error());
        return r;
    }

    private static long manifestBytes(ObjectStore store) throws IOException {
        return store.stat(Layout.STATE_KEY).orElseThrow().size();
    }

    /** Records what is read under state/, whole or in ranges. */
    private static final class Recording extends InterceptingStore {
        final List<String> reads = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> writes = java.util.Collections.synchronizedList(new ArrayList<>());

        Recording(ObjectStore delegate) {
            super(delegate, k -> { });
        }

        @Override
        public Optional<StoredBytes> read(String key) throws IOException {
            if (key.startsWith("state/")) {
                reads.add(key);
            }
            return super.read(key);
        }

        @Override
        public Optional<byte[]> readRange(String key, long offset, int length) throws IOException {
            reads.add("range of " + key);
            return super.readRange(key, offset, length);
        }

        @Override
        public void put(String key, byte[] bytes, String contentType) throws IOException {
            if (key.startsWith("state/")) {
                writes.add(key);
            }
            super.put(key, bytes, contentType);
        }
    }

    @Test
    void aRunOnABaseListsOnlyTheLeavesThatDifferFromItAndNamesTheLeavesAWholeListingNames() throws Exception {
        LocalFolderStore onBase = filled("base");
        LocalFolderStore listed = filled("listed");
        succeeded(processor(onBase, ON_A_BASE, StateLeaves.GRACE), "events/a.jsonl");
        LeafRef base = ManifestLeaves.base(onBase);
        assertNotNull(base, "40 leaves, none listed: a base of them");
        assertEquals(40, base.entries());
        for (String key : List.of("events/b.jsonl", "events/c.jsonl")) {
            Recording recording = new Recording(onBase);
            RunReport r = succeeded(processor(recording, ON_A_BASE, StateLeaves.GRACE), key);
            assertEquals(base, ManifestLeaves.base(onBase), key + ": one leaf differs, at most an eighth: the same base");
            assertFalse(recording.writes.stream().anyMatch(k -> k.contains("/base-")), recording.writes.toString());
            assertEquals(manifestBytes(onBase) + ManifestLeaves.packBytes(onBase), r.stateSizeBytes(),
                    "the state's size: the manifest, its base and the packs");
            assertTrue(ManifestLeaves.packBytes(onBase) > base.bytes(), "counted with the packs");
        }
        for (String key : List.of("events/a.jsonl", "events/b.jsonl", "events/c.jsonl")) {
            succeeded(processor(listed, LISTED, StateLeaves.GRACE), key);
        }
        assertNull(ManifestLeaves.base(listed));
        assertEquals(ManifestLeaves.customers(listed), ManifestLeaves.customers(onBase),
                "the base and the leaf listed on it are the leaves a whole listing names");
        // the same header, aggregates and packs; at least three bytes less for each of the 39 leaves not listed
        assertTrue(manifestBytes(onBase) + 39 * 3 <= manifestBytes(listed),
                manifestBytes(onBase) + " bytes on a base, " + manifestBytes(listed) + " listing 40 leaves");
        assertSameOutputs(listed, onBase);
    }

    @Test
    void aRunWritesANewBaseWhenTheChangesOutgrowAnEighthAndTheOldOneGoesAfterTheGracePeriod() throws Exception {
        LocalFolderStore bucket = filled("rebase");
        LocalFolderStore listed = filled("listed");
        ObjectProcessor p = processor(bucket, ON_A_BASE, Duration.ZERO);
        succeeded(p, "events/a.jsonl");
        succeeded(p, "events/b.jsonl");
        LeafRef first = ManifestLeaves.base(bucket);
        RunReport d = succeeded(p, "events/d.jsonl");
        LeafRef second = ManifestLeaves.base(bucket);
        assertNotEquals(first.key(), second.key(), "40 leaves differ from a base of 40: a new base");
        assertEquals(String.format("state/customers/base-r%012d-%s.bin", 3, d.runId()), second.key());
        assertTrue(bucket.stat(first.key()).isPresent(), "retired by this run, deleted by the next");
        succeeded(p, "events/e.jsonl");
        assertFalse(bucket.stat(first.key()).isPresent(), "no manifest names it: gone after the grace period");
        assertEquals(second, ManifestLeaves.base(bucket));

        for (String key : List.of("events/a.jsonl", "events/b.jsonl", "events/d.jsonl", "events/e.jsonl")) {
            succeeded(processor(listed, LISTED, Duration.ZERO), key);
        }
        assertEquals(ManifestLeaves.customers(listed), ManifestLeaves.customers(bucket));
        assertSameOutputs(listed, bucket);
    }

    @Test
    void aProcessorKeepsTheBaseItWroteAndReadsAnotherProcessorsBaseOnce() throws Exception {
        LocalFolderStore bucket = filled("kept");
        Recording recording = new Recording(bucket);
        ObjectProcessor warm = processor(recording, ON_A_BASE, StateLeaves.GRACE);
        succeeded(warm, "events/a.jsonl");
        String base = ManifestLeaves.base(bucket).key();
        recording.reads.clear();
        succeeded(warm, "events/b.jsonl");
        assertFalse(recording.reads.stream().anyMatch(k -> k.contains(base)), "its own base: " + recording.reads);

        Recording other = new Recording(bucket);
        ObjectProcessor cold = processor(other, ON_A_BASE, StateLeaves.GRACE);
        succeeded(cold, "events/c.jsonl");
        assertEquals(1, other.reads.stream().filter(k -> k.equals("range of " + base)).count(), other.reads.toString());
        other.reads.clear();
        succeeded(cold, "events/e.jsonl");
        assertFalse(other.reads.stream().anyMatch(k -> k.contains(base)), "read once: " + other.reads);
    }

    @Test
    void aDamagedBaseFailsTheRunAsConfigurationAndChangesNothing() throws Exception {
        for (String damage : List.of("one byte", "one byte short")) {
            LocalFolderStore bucket = filled(damage.replace(' ', '-'));
            succeeded(processor(bucket, ON_A_BASE, StateLeaves.GRACE), "events/a.jsonl");
            String base = ManifestLeaves.base(bucket).key();
            byte[] bytes = bucket.read(base).orElseThrow().bytes();
            byte[] damaged = damage.equals("one byte") ? bytes.clone() : java.util.Arrays.copyOf(bytes, bytes.length - 1);
            if (damage.equals("one byte")) {
                damaged[bytes.length / 2] ^= 0x10;
            }
            bucket.put(base, damaged, "application/octet-stream");
            String etag = bucket.stat(Layout.STATE_KEY).orElseThrow().etag();

            RunReport b = processor(bucket, ON_A_BASE, StateLeaves.GRACE).process("events/b.jsonl");
            assertEquals(RunReport.Outcome.FAILED, b.outcome(), damage);
            assertEquals(FailureCause.CONFIGURATION, b.cause(), b.error());
            assertTrue(b.error().contains(base) && b.error().contains("cannot be read"), b.error());
            assertEquals(etag, bucket.stat(Layout.STATE_KEY).orElseThrow().etag(), "the state as it was");
        }
    }

    @Test
    void aMissingBaseUnderAnUnchangedManifestIsDamage() throws Exception {
        LocalFolderStore bucket = filled("missing");
        succeeded(processor(bucket, ON_A_BASE, StateLeaves.GRACE), "events/a.jsonl");
        String base = ManifestLeaves.base(bucket).key();
        bucket.delete(base);
        RunReport b = processor(bucket, ON_A_BASE, StateLeaves.GRACE).process("events/b.jsonl");
        assertEquals(RunReport.Outcome.FAILED, b.outcome());
        assertEquals(FailureCause.CONFIGURATION, b.cause(), b.error());
        assertTrue(b.error().contains(base), b.error());
    }

    @Test
    void aBaseRetiredAndDeletedWhileARunReadsItsManifestMakesTheRunReadTheNewOne() throws Exception {
        LocalFolderStore bucket = filled("raced");
        succeeded(processor(bucket, ON_A_BASE, StateLeaves.GRACE), "events/a.jsonl");
        String old = ManifestLeaves.base(bucket).key();
        AtomicBoolean once = new AtomicBoolean(true);
        // between this run's read of the manifest and of its base, another run commits a new base and the old one goes
        // (as it would an hour after its retirement)
        ObjectStore racing = new InterceptingStore(bucket, k -> { }) {
            @Override
            public Optional<byte[]> readRange(String key, long offset, int length) throws IOException {
                if (key.equals(old) && once.getAndSet(false)) {
                    succeeded(processor(bucket, ON_A_BASE, StateLeaves.GRACE), "events/d.jsonl");
                    bucket.delete(old);
                }
                return super.readRange(key, offset, length);
            }
        };
        RunReport b = processor(racing, ON_A_BASE, StateLeaves.GRACE).process("events/b.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, b.outcome(), b.error());
        assertFalse(once.get(), "the base was taken away under the run");
        assertEquals(3, b.stateSequence(), "committed after d's run");
        assertNotEquals(old, ManifestLeaves.base(bucket).key());
    }

    @Test
    void aManifestOfFormat3IsPutOnABaseByTheNextRunWhichWritesWhatAnUnbrokenHistoryWrites() throws Exception {
        Path unbrokenDir = tmp.resolve("unbroken");
        Buckets.copyGolden(unbrokenDir);
        LocalFolderStore unbroken = new LocalFolderStore(unbrokenDir);
        for (String key : List.of("events/events-1.jsonl", "events/events-2.jsonl", "events/events-3.jsonl")) {
            succeeded(processor(unbroken, ON_A_BASE, StateLeaves.GRACE), key);
        }
        // the first two golden objects processed by the version before manifest bases (65abef1): format 3, every
        // customer leaf listed
        Path continuedDir = tmp.resolve("continued");
        Buckets.copyGolden(continuedDir);
        Buckets.copyFirstTwoGoldenState(continuedDir, "manifest3-first-two");
        LocalFolderStore continued = new LocalFolderStore(continuedDir);
        assertNull(ManifestLeaves.base(continued));
        RunReport third = succeeded(processor(continued, ON_A_BASE, StateLeaves.GRACE), "events/events-3.jsonl");
        assertEquals(3, third.stateSequence());
        assertNotNull(ManifestLeaves.base(continued), "converted once: the next run put the leaves on a base");
        assertEquals(ManifestLeaves.customers(unbroken), ManifestLeaves.customers(continued));
        // the third run's outputs and the metrics (the first two are in the fixture's history, not in this bucket)
        TreeMap<String, byte[]> expected = new TreeMap<>();
        Buckets.outputs(unbroken, "sessions/", "clean_events/", "metrics/").forEach((k, v) -> {
            if (k.contains("r000000000003-") || k.startsWith("metrics/")) {
                expected.put(k, v);
            }
        });
        TreeMap<String, byte[]> actual = Buckets.outputs(continued, "sessions/", "clean_events/", "metrics/");
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    @Test
    void anAttemptThatFailsAtItsCommitNamedItsNewBaseAndItsRetryWritesTheStateOfAnUninterruptedRun() throws Exception {
        LocalFolderStore clean = filled("clean");
        ObjectProcessor uninterrupted = processor(clean, ON_A_BASE, StateLeaves.GRACE);
        succeeded(uninterrupted, "events/a.jsonl");
        succeeded(uninterrupted, "events/d.jsonl");

        LocalFolderStore bucket = filled("crashed");
        succeeded(processor(bucket, ON_A_BASE, StateLeaves.GRACE), "events/a.jsonl");
        String before = ManifestLeaves.base(bucket).key();
        // d changes every leaf: its attempt writes its packs and a new base, then its commit fails
        AtomicBoolean once = new AtomicBoolean(true);
        ObjectStore failing = new InterceptingStore(bucket, key -> {
            if (key.equals(Layout.STATE_KEY) && once.getAndSet(false)) {
                throw new IOException("simulated: S3 unreachable at the commit");
            }
        });
        RunReport first = processor(failing, ON_A_BASE, StateLeaves.GRACE).process("events/d.jsonl");
        assertEquals(RunReport.Outcome.FAILED, first.outcome());
        assertTrue(first.retryable(), first.error());
        String newBase = String.format("state/customers/base-r%012d-%s.bin", 2, first.runId());
        assertTrue(bucket.stat(newBase).isPresent(), "the failed attempt wrote its base");
        assertEquals(before, ManifestLeaves.base(bucket).key(), "the committed state is as it was");
        String report = new String(bucket.read(Layout.runReportKey(first.runId())).orElseThrow().bytes(),
                StandardCharsets.UTF_8);
        assertTrue(report.contains(RunRecords.PENDING) && report.contains(newBase), "its report names the base: " + report);

        succeeded(processor(bucket, ON_A_BASE, StateLeaves.GRACE), "events/d.jsonl");
        assertEquals(newBase, ManifestLeaves.base(bucket).key(), "the retry wrote the same base under the same key");
        // every state object and output as the uninterrupted history has them, byte for byte
        TreeMap<String, byte[]> want = Buckets.outputs(clean, "state/", "sessions/", "clean_events/", "metrics/");
        TreeMap<String, byte[]> got = Buckets.outputs(bucket, "state/", "sessions/", "clean_events/", "metrics/");
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertArrayEquals(v, got.get(k), k));
    }

    @Test
    void twoRunsOnABaseAtOnceBothLandAndTheLosersBaseIsRemoved() throws Exception {
        LocalFolderStore bucket = filled("racing");
        succeeded(processor(bucket, ON_A_BASE, StateLeaves.GRACE), "events/a.jsonl");
        // both load the state of a and write before either commits: d a new base (every leaf changed), b a listing
        ObjectStore racing = InterceptingStore.withRacingCommits(bucket);
        ObjectProcessor p = processor(racing, ON_A_BASE, StateLeaves.GRACE);
        java.util.concurrent.CompletableFuture<RunReport> d = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> p.process("events/d.jsonl"));
        java.util.concurrent.CompletableFuture<RunReport> b = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> p.process("events/b.jsonl"));
        RunReport rd = d.get(60, java.util.concurrent.TimeUnit.SECONDS);
        RunReport rb = b.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(RunReport.Outcome.SUCCEEDED, rd.outcome(), rd.error());
        assertEquals(RunReport.Outcome.SUCCEEDED, rb.outcome(), rb.error());
        assertEquals(3, rd.attempts() + rb.attempts(), "exactly one lost the race and redid its run");
        // the loser's first attempt was at revision 2; whatever it wrote there is gone unless the winner wrote it
        RunReport loser = rd.attempts() == 2 ? rd : rb;
        String losersFirstBase = String.format("state/customers/base-r%012d-%s.bin", 2, loser.runId());
        assertFalse(bucket.stat(losersFirstBase).isPresent(), "the loser removed the base of its first attempt");
        assertTrue(bucket.stat(ManifestLeaves.base(bucket).key()).isPresent());

        // the same as the two one after the other, in the order they committed
        LocalFolderStore serial = filled("serial");
        ObjectProcessor one = processor(serial, ON_A_BASE, StateLeaves.GRACE);
        succeeded(one, "events/a.jsonl");
        for (String key : loser == rd ? List.of("events/b.jsonl", "events/d.jsonl")
                : List.of("events/d.jsonl", "events/b.jsonl")) {
            succeeded(one, key);
        }
        assertEquals(ManifestLeaves.customers(serial), ManifestLeaves.customers(bucket));
        assertSameOutputs(serial, bucket);
    }

    /** The sessions, clean events and metrics of two histories, key for key and byte for byte. */
    private static void assertSameOutputs(ObjectStore want, ObjectStore got) throws IOException {
        TreeMap<String, byte[]> expected = Buckets.outputs(want, "sessions/", "clean_events/", "metrics/");
        TreeMap<String, byte[]> actual = Buckets.outputs(got, "sessions/", "clean_events/", "metrics/");
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }
}
