package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state in leaves, run by run: a run reads the ranges of the leaves its events need and writes those it changed
 * in one pack per kind, sparse packs are compacted, retired packs go after their grace period, and a pack retired
 * under a running run makes it read the new state.
 */
class StateLeavesTest {
    /** Four customers and eight ids a leaf: the 40 customers of the first object fill ten and five. */
    private static final StateSeal.LeafTargets SMALL = new StateSeal.LeafTargets(4, 8);
    private static final String LEAVES = "state/";

    @TempDir
    Path tmp;

    private static String line(long id, long customer, String time) {
        return "{\"id\": " + id + ", \"type\": \"page_view\", \"event\": {\"customer-id\": " + customer
                + ", \"timestamp\": \"2022-04-20T" + time + "\", \"page\": \"/p" + id + "\"}}\n";
    }

    /** Customers 1 to 40 with one event each (ids 1 to 40), 10:00 to 10:39. */
    private static void fill(ObjectStore store) throws IOException {
        StringBuilder first = new StringBuilder();
        for (int c = 1; c <= 40; c++) {
            first.append(line(c, c, String.format("10:%02d:00", c - 1)));
        }
        put(store, "events/a.jsonl", first.toString());
        put(store, "events/b.jsonl", line(41, 7, "11:00:00"));
        put(store, "events/c.jsonl", line(42, 7, "11:05:00"));
        put(store, "events/d.jsonl", line(43, 7, "11:10:00"));
    }

    private static void put(ObjectStore store, String key, String content) throws IOException {
        store.put(key, content.getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
    }

    private static ObjectProcessor processor(ObjectStore store, Clock clock, Duration grace) {
        return processor(store, clock, SMALL, grace);
    }

    private static ObjectProcessor processor(ObjectStore store, Clock clock, StateSeal.LeafTargets targets,
            Duration grace) {
        return new ObjectProcessor(store, RunSettings.defaults(), clock, targets, grace);
    }

    /** Records the keys read (whole or in ranges, with the bytes) and written under state/. */
    private static final class Recording extends InterceptingStore {
        // leaves are read and written on several threads at once
        final List<String> reads = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> writes = java.util.Collections.synchronizedList(new ArrayList<>());
        final java.util.concurrent.atomic.AtomicLong rangeBytes = new java.util.concurrent.atomic.AtomicLong();

        Recording(ObjectStore delegate) {
            super(delegate, k -> { });
        }

        @Override
        public Optional<StoredBytes> read(String key) throws IOException {
            if (key.startsWith(LEAVES)) {
                reads.add(key);
            }
            return super.read(key);
        }

        @Override
        public Optional<byte[]> readRange(String key, long offset, int length) throws IOException {
            reads.add("range of " + key);
            rangeBytes.addAndGet(length);
            return super.readRange(key, offset, length);
        }

        @Override
        public java.io.InputStream open(String key) throws IOException {
            if (key.startsWith(LEAVES)) {
                reads.add("stream of " + key);
            }
            return super.open(key);
        }

        @Override
        public void put(String key, byte[] bytes, String contentType) throws IOException {
            if (key.startsWith(LEAVES)) {
                writes.add(key);
            }
            super.put(key, bytes, contentType);
        }

        @Override
        public String putIfUnchanged(String key, byte[] bytes, String expectedEtag, String contentType)
                throws IOException {
            if (key.startsWith(LEAVES)) {
                writes.add(key);
            }
            return super.putIfUnchanged(key, bytes, expectedEtag, contentType);
        }
    }

    private static Set<String> keys(ObjectStore store, String prefix) throws IOException {
        Set<String> out = new TreeSet<>();
        store.list(prefix).forEach(o -> out.add(o.key()));
        return out;
    }

    private static String pack(String kind, long revision, String runId) {
        return String.format("state/%s/pack-r%012d-%s.bin", kind, revision, runId);
    }

    private static long size(ObjectStore store, String key) throws IOException {
        return store.stat(key).orElseThrow().size();
    }

    /** Customers 1 to 40 again, each with one event at 11:00: every customer leaf is replaced. */
    private static String everyCustomer(long firstId, String time) {
        StringBuilder all = new StringBuilder();
        for (int c = 1; c <= 40; c++) {
            all.append(line(firstId + c, c, time));
        }
        return all.toString();
    }

    @Test
    void aRunWritesOnePackPerKindAndReadsOnlyTheRangesOfTheLeavesItsEventsNeed() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("leaves"));
        fill(bucket);
        ObjectProcessor p = processor(bucket, Buckets.FIXED_CLOCK, StateLeaves.GRACE);
        assertEquals(RunReport.Outcome.SUCCEEDED, p.process("events/a.jsonl").outcome());
        String customersOfA = pack("customers", 1, a(bucket));
        String idsOfA = pack("ids", 1, a(bucket));
        assertEquals(Set.of(customersOfA), keys(bucket, "state/customers/"), "ten leaves in one object");
        assertEquals(Set.of(idsOfA), keys(bucket, "state/ids/"), "five leaves in one object");

        Recording recording = new Recording(bucket);
        RunReport b = processor(recording, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process("events/b.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, b.outcome(), b.error());
        String runB = b.runId();
        // the manifest whole; of the packs, the leaf of customers 5 to 8 and the last leaf of ids (33 to 40)
        assertEquals(List.of("range of " + customersOfA, "range of " + idsOfA, Layout.STATE_KEY, Layout.TURN_KEY),
                recording.reads.stream().sorted().toList());
        long leafBytes = recording.rangeBytes.get();
        assertTrue(leafBytes < (size(bucket, customersOfA) + size(bucket, idsOfA)) / 3,
                leafBytes + " bytes: one leaf of ten and one of five");
        assertEquals(Set.of(pack("customers", 2, runB), pack("ids", 2, runB), Layout.STATE_KEY),
                Set.copyOf(recording.writes));
        assertEquals(Layout.STATE_KEY, recording.writes.get(2), "the manifest last, after the packs");
        assertTrue(b.stateSizeBytes() >= size(bucket, customersOfA) + size(bucket, idsOfA),
                "the report counts the packs the state is in");
    }

    @Test
    void neighbouringLeavesOfAPackAreReadInOneRequest() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("coalesce"));
        fill(bucket);
        processor(bucket, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process("events/a.jsonl");
        put(bucket, "events/all.jsonl", everyCustomer(100, "11:00:00"));
        Recording recording = new Recording(bucket);
        RunReport all = processor(recording, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process("events/all.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, all.outcome(), all.error());
        // ten customer leaves in one request; of the ids, the last leaf for the lookups (the new ids are above the
        // others), then the four before it when this run's generation of 100 ids merges that of a (40)
        String idsOfA = pack("ids", 1, a(bucket));
        assertEquals(List.of("range of " + pack("customers", 1, a(bucket)), "range of " + idsOfA, "range of " + idsOfA,
                Layout.STATE_KEY, Layout.TURN_KEY), recording.reads.stream().sorted().toList());
    }

    @Test
    void aWarmProcessorReadsTheLeavesItWroteFromItsCache() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("warm"));
        fill(bucket);
        Recording recording = new Recording(bucket);
        ObjectProcessor warm = processor(recording, Buckets.FIXED_CLOCK, StateLeaves.GRACE);
        assertEquals(RunReport.Outcome.SUCCEEDED, warm.process("events/a.jsonl").outcome());
        recording.reads.clear();
        RunReport b = warm.process("events/b.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, b.outcome(), b.error());
        assertEquals(List.of(Layout.STATE_KEY, Layout.TURN_KEY), recording.reads,
                "the leaves it wrote come from its cache: the manifest, and the commit turn (absent) before the commit");

        // and what it did not write, once: a run of another processor commits in between
        assertEquals(RunReport.Outcome.SUCCEEDED,
                processor(bucket, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process("events/c.jsonl").outcome());
        recording.reads.clear();
        RunReport d = warm.process("events/d.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, d.outcome(), d.error());
        assertEquals(List.of("range of " + pack("customers", 3, RunIds.of("events/c.jsonl",
                bucket.stat("events/c.jsonl").orElseThrow().etag())), "range of " + pack("ids", 3, RunIds.of(
                "events/c.jsonl", bucket.stat("events/c.jsonl").orElseThrow().etag())), Layout.STATE_KEY,
                Layout.TURN_KEY), recording.reads.stream().sorted().toList());
    }

    @Test
    void leavesACommitReplacedLeaveTheCacheSoThatLiveOnesStay() throws Exception {
        // the live leaves after four objects, measured on a bucket of its own (the runs are deterministic)
        LocalFolderStore measured = new LocalFolderStore(tmp.resolve("measured"));
        fill(measured);
        ObjectProcessor measuring = processor(measured, Buckets.FIXED_CLOCK, StateLeaves.GRACE);
        for (String key : List.of("events/a.jsonl", "events/b.jsonl", "events/c.jsonl", "events/d.jsonl")) {
            measuring.process(key);
        }
        long live = new StateRepository(measured).load(io.sessionlake.session.SessionConfig.DEFAULT).state()
                .storedLeafBytes();
        String d = RunIds.of("events/d.jsonl", measured.stat("events/d.jsonl").orElseThrow().etag());
        long oneRun = size(measured, pack("customers", 4, d)) + size(measured, pack("ids", 4, d));

        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("room"));
        fill(bucket);
        put(bucket, "events/e.jsonl", line(44, 1, "11:15:00"));
        Recording recording = new Recording(bucket);
        // room for the live leaves and those a run writes before its commit, not for what b, c and d replaced besides
        ObjectProcessor warm = new ObjectProcessor(recording,
                RunSettings.defaults().withStateCacheBytes(live + oneRun + oneRun / 2),
                Buckets.FIXED_CLOCK, SMALL, StateLeaves.GRACE);
        for (String key : List.of("events/a.jsonl", "events/b.jsonl", "events/c.jsonl", "events/d.jsonl")) {
            assertEquals(RunReport.Outcome.SUCCEEDED, warm.process(key).outcome(), key);
        }
        recording.reads.clear();
        // customer 1's leaf was written by the first run and not touched since: the least recently used
        RunReport e = warm.process("events/e.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, e.outcome(), e.error());
        assertEquals(List.of(Layout.STATE_KEY, Layout.TURN_KEY), recording.reads,
                "every leaf from the cache: the three replaced versions of customer 7's leaf and of the last id leaf"
                        + " went at their commits");
    }

    @Test
    void aProcessorWithAStateCacheOfZeroReadsEvenTheLeavesItWroteFromTheStore() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("uncached"));
        fill(bucket);
        Recording recording = new Recording(bucket);
        ObjectProcessor uncached = new ObjectProcessor(recording, RunSettings.defaults().withStateCacheBytes(0),
                Buckets.FIXED_CLOCK, SMALL, StateLeaves.GRACE);
        assertEquals(RunReport.Outcome.SUCCEEDED, uncached.process("events/a.jsonl").outcome());
        recording.reads.clear();
        RunReport b = uncached.process("events/b.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, b.outcome(), b.error());
        assertEquals(List.of("range of " + pack("customers", 1, a(bucket)), "range of " + pack("ids", 1, a(bucket)),
                Layout.STATE_KEY, Layout.TURN_KEY), recording.reads.stream().sorted().toList());
    }

    /** The sessions, clean events and metrics of two histories, key for key and byte for byte. */
    private static void assertSameOutputs(ObjectStore want, ObjectStore got) throws IOException {
        TreeMap<String, byte[]> expected = Buckets.outputs(want, "sessions/", "clean_events/", "metrics/");
        TreeMap<String, byte[]> actual = Buckets.outputs(got, "sessions/", "clean_events/", "metrics/");
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    private static String a(ObjectStore bucket) throws IOException {
        return RunIds.of("events/a.jsonl", bucket.stat("events/a.jsonl").orElseThrow().etag());
    }

    @Test
    void smallLeavesGiveTheOutputsAndMetricsOfOneLeaf() throws Exception {
        LocalFolderStore small = new LocalFolderStore(tmp.resolve("small"));
        LocalFolderStore whole = new LocalFolderStore(tmp.resolve("whole"));
        for (LocalFolderStore s : List.of(small, whole)) {
            fill(s);
            put(s, "events/half.jsonl", everyCustomer(200, "12:00:00").lines().limit(28)
                    .map(l -> l + "\n").reduce("", String::concat));
            put(s, "events/all.jsonl", everyCustomer(300, "12:30:00"));
        }
        for (String key : List.of("events/a.jsonl", "events/b.jsonl", "events/c.jsonl", "events/d.jsonl",
                "events/half.jsonl", "events/all.jsonl")) {
            processor(small, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process(key);
            new ObjectProcessor(whole, RunSettings.defaults(), Buckets.FIXED_CLOCK).process(key);
        }
        assertSameOutputs(whole, small);
    }

    @Test
    void aSparsePackIsCompactedIntoTheRunsPackAndDeletedAfterTheGracePeriod() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("compact"));
        fill(bucket);
        processor(bucket, Buckets.FIXED_CLOCK, Duration.ZERO).process("events/a.jsonl");
        String customersOfA = pack("customers", 1, a(bucket));
        // customers 1 to 36: nine leaves of ten replaced, the last (under an eighth) is copied out of a's pack
        put(bucket, "events/half.jsonl", everyCustomer(100, "11:00:00").lines().limit(36)
                .map(l -> l + "\n").reduce("", String::concat));
        Recording recording = new Recording(bucket);
        RunReport half = processor(recording, Buckets.FIXED_CLOCK, Duration.ZERO).process("events/half.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, half.outcome(), half.error());
        assertTrue(recording.reads.contains("range of " + customersOfA), recording.reads.toString());
        assertTrue(bucket.stat(customersOfA).isPresent(), "retired by this run, deleted by the next");
        // a cold processor: it reads customer 7 from the pack the copy is in
        RunReport b = processor(bucket, Buckets.FIXED_CLOCK, Duration.ZERO).process("events/b.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, b.outcome(), b.error());
        assertFalse(bucket.stat(customersOfA).isPresent(), "no manifest names it: gone after the grace period");
        assertEquals(Set.of(pack("customers", 2, half.runId()), pack("customers", 3, b.runId())),
                keys(bucket, "state/customers/"));
    }

    /** Customers {@code from} to {@code to}, one event each at {@code time}, ids from {@code firstId} on. */
    private static String customers(long firstId, int from, int to, String time) {
        StringBuilder all = new StringBuilder();
        for (int c = from; c <= to; c++) {
            all.append(line(firstId + c - from, c, time));
        }
        return all.toString();
    }

    /** The customer leaves a run's manifest names in {@code pack}, by their low key. */
    private static TreeMap<Long, LeafRef> customerLeavesIn(ObjectStore store, String pack) throws IOException {
        TreeMap<Long, LeafRef> out = new TreeMap<>();
        for (LeafRef r : ManifestLeaves.customers(store)) {
            if (r.key().equals(pack)) {
                out.put(r.low(), r);
            }
        }
        return out;
    }

    private static byte[] bytesOf(ObjectStore store, LeafRef r) throws IOException {
        return store.readRange(r.key(), r.offset(), (int) r.bytes()).orElseThrow();
    }

    /**
     * A pack of 60 customer leaves is made sparse by two runs: the first replaces 51 leaves (9 live, above an eighth),
     * the second 3 more (6 live, well under an eighth: the live leaves, of larger ids, are a little larger than
     * most) while writing far less than the live rest. With a budget of one byte
     * every run may copy only as much as it writes (or one leaf), so the live leaves move out over several runs; with
     * the default budget the second run copies them all. Both histories write the same outputs.
     */
    @Test
    void aLargeSparsePackIsEmptiedOverSeveralRunsEachCopyingAtMostWhatItWrites() throws Exception {
        StateSeal.LeafTargets tinyBudget = new StateSeal.LeafTargets(4, 8, 1);
        LocalFolderStore budgeted = new LocalFolderStore(tmp.resolve("budgeted"));
        LocalFolderStore unbounded = new LocalFolderStore(tmp.resolve("unbounded"));
        List<String> objects = new ArrayList<>(List.of("events/many.jsonl", "events/most.jsonl", "events/more.jsonl"));
        for (LocalFolderStore s : List.of(budgeted, unbounded)) {
            StringBuilder many = new StringBuilder();
            for (int c = 1; c <= 240; c++) {
                many.append(line(c, c, String.format("10:%02d:%02d", c / 60, c % 60)));
            }
            put(s, "events/many.jsonl", many.toString());
            put(s, "events/most.jsonl", customers(1_000, 1, 204, "11:00:00"));
            put(s, "events/more.jsonl", customers(2_000, 205, 216, "11:10:00"));
            // then one customer of the replaced range a run: leaf k of the 51 the first run replaced
            for (int k = 0; k < 12; k++) {
                put(s, "events/small-" + k + ".jsonl", line(3_000 + k, 4 * k + 1, String.format("12:%02d:00", k)));
            }
        }
        for (int k = 0; k < 12; k++) {
            objects.add("events/small-" + k + ".jsonl");
        }
        // last, every customer: the outputs depend on every leaf, wherever compaction put it
        for (LocalFolderStore s : List.of(budgeted, unbounded)) {
            put(s, "events/all.jsonl", customers(4_000, 1, 240, "13:00:00"));
        }
        objects.add("events/all.jsonl");
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Duration step = Duration.ofMinutes(20);
        Duration grace = Duration.ofMinutes(30);

        RunReport first = processor(budgeted, Clock.fixed(t0, ZoneOffset.UTC), tinyBudget, grace).process(objects.get(0));
        String sparse = pack("customers", first.stateSequence(), first.runId());
        assertEquals(60, customerLeavesIn(budgeted, sparse).size());
        processor(budgeted, Clock.fixed(t0.plus(step), ZoneOffset.UTC), tinyBudget, grace).process(objects.get(1));
        assertEquals(9, customerLeavesIn(budgeted, sparse).size(), "more than an eighth live: nothing copied yet");

        List<Integer> copiedPerRun = new ArrayList<>();
        Integer emptiedBy = null;
        boolean deleted = false;
        for (int i = 2; i < objects.size(); i++) {
            TreeMap<Long, LeafRef> before = customerLeavesIn(budgeted, sparse);
            TreeMap<Long, byte[]> beforeBytes = new TreeMap<>();
            for (LeafRef r : before.values()) {
                beforeBytes.put(r.low(), bytesOf(budgeted, r));
            }
            RunReport run = processor(budgeted, Clock.fixed(t0.plus(step.multipliedBy(i)), ZoneOffset.UTC),
                    tinyBudget, grace).process(objects.get(i));
            assertEquals(RunReport.Outcome.SUCCEEDED, run.outcome(), run.error());
            String own = pack("customers", run.stateSequence(), run.runId());
            // copied: a leaf of the sparse pack now in this run's pack with the same bytes
            int copied = 0;
            long copiedBytes = 0;
            for (LeafRef r : customerLeavesIn(budgeted, own).values()) {
                byte[] was = beforeBytes.get(r.low());
                if (was != null && java.util.Arrays.equals(was, bytesOf(budgeted, r))) {
                    copied++;
                    copiedBytes += r.bytes();
                }
            }
            long written = size(budgeted, own) - copiedBytes;
            assertTrue(copied <= 1 || copiedBytes <= Math.max(1, written), objects.get(i) + " copied " + copied
                    + " leaves, " + copiedBytes + " bytes, and wrote " + written + " of its own");
            TreeMap<Long, LeafRef> after = customerLeavesIn(budgeted, sparse);
            if (!before.isEmpty()) {
                int replaced = objects.get(i).equals("events/more.jsonl") ? 3 : 0; // customers 205 to 216
                assertEquals(before.size() - copied - replaced, after.size(),
                        objects.get(i) + ": the leaves that left the sparse pack are the ones copied (and those replaced)");
                assertTrue(copied > 0, objects.get(i) + " copied nothing while the sparse pack had live leaves");
                copiedPerRun.add(copied);
                if (after.isEmpty()) {
                    emptiedBy = i;
                }
            } else if (!deleted) {
                deleted = budgeted.stat(sparse).isEmpty();
                assertEquals(step.multipliedBy(i - emptiedBy).compareTo(grace) >= 0, deleted,
                        "the sparse pack goes once the grace period after the run that emptied it has passed");
            }
        }
        assertTrue(deleted, "emptied and deleted within the history, copied per run: " + copiedPerRun);
        assertTrue(copiedPerRun.size() >= 3, "over several runs, not all in the first: " + copiedPerRun);

        for (int i = 0; i < objects.size(); i++) {
            RunReport r = processor(unbounded, Clock.fixed(t0.plus(step.multipliedBy(i)), ZoneOffset.UTC),
                    SMALL, grace).process(objects.get(i));
            assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), r.error());
            if (i == 2) {
                assertEquals(Map.of(), customerLeavesIn(unbounded, sparse),
                        "with the default budget the run that made the pack sparse copies every live leaf");
            }
        }
        assertSameOutputs(unbounded, budgeted);
    }

    @Test
    void retiredPacksAreDeletedOnceTheirGracePeriodHasPassed() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("grace"));
        fill(bucket);
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        processor(bucket, Clock.fixed(t0, ZoneOffset.UTC), Duration.ofHours(1)).process("events/a.jsonl");
        String customersOfA = pack("customers", 1, a(bucket));
        put(bucket, "events/all.jsonl", everyCustomer(100, "10:50:00"));
        String all = processor(bucket, Clock.fixed(t0, ZoneOffset.UTC), Duration.ofHours(1)).process("events/all.jsonl")
                .runId();
        assertTrue(bucket.stat(customersOfA).isPresent(), "every leaf in it replaced, it is retired");

        processor(bucket, Clock.fixed(t0.plus(Duration.ofMinutes(59)), ZoneOffset.UTC), Duration.ofHours(1))
                .process("events/b.jsonl");
        assertTrue(bucket.stat(customersOfA).isPresent(), "inside the grace period a run may still read it");

        processor(bucket, Clock.fixed(t0.plus(Duration.ofMinutes(61)), ZoneOffset.UTC), Duration.ofHours(1))
                .process("events/c.jsonl");
        assertFalse(bucket.stat(customersOfA).isPresent(), customersOfA + " is gone");
        assertFalse(bucket.stat(pack("ids", 1, a(bucket))).isPresent(), "merged into the generation of all.jsonl");
        assertTrue(bucket.stat(pack("ids", 2, all)).isPresent(), "a pack with live leaves stays");
        // every leaf the manifest names is still there: a run over every customer reads them all
        put(bucket, "events/e.jsonl", everyCustomer(200, "12:00:00"));
        RunReport e = processor(bucket, Clock.fixed(t0.plus(Duration.ofMinutes(62)), ZoneOffset.UTC),
                Duration.ofHours(1)).process("events/e.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, e.outcome(), e.error());
    }

    @Test
    void aPackRetiredAndDeletedUnderARunningRunMakesItReadTheNewState() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("race"));
        fill(bucket);
        processor(bucket, Buckets.FIXED_CLOCK, Duration.ZERO).process("events/a.jsonl");
        put(bucket, "events/all.jsonl", everyCustomer(100, "10:50:00"));
        AtomicBoolean overtake = new AtomicBoolean(true);
        ObjectStore slow = new InterceptingStore(bucket, k -> { }) {
            @Override
            public Optional<byte[]> readRange(String key, long offset, int length) throws IOException {
                if (key.startsWith("state/customers/") && overtake.getAndSet(false)) {
                    // two runs commit meanwhile: one replaces every customer leaf, the next deletes a's pack
                    assertEquals(RunReport.Outcome.SUCCEEDED, processor(bucket, Buckets.FIXED_CLOCK, Duration.ZERO)
                            .process("events/all.jsonl").outcome());
                    assertEquals(RunReport.Outcome.SUCCEEDED, processor(bucket, Buckets.FIXED_CLOCK, Duration.ZERO)
                            .process("events/c.jsonl").outcome());
                }
                return super.readRange(key, offset, length);
            }
        };
        RunReport d = processor(slow, Buckets.FIXED_CLOCK, Duration.ZERO).process("events/d.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, d.outcome(), d.error());
        assertEquals(2, d.attempts(), "the missing pack was a lost race: read again");
        assertEquals(4, d.stateSequence());
    }

    /** What a person or a bug can do to a committed pack; the next run must name the pack and stop. */
    private interface PackDamage {
        void damage(LocalFolderStore bucket, String pack) throws IOException;
    }

    private void assertANextRunFailsAsAnUnreadableState(String name, PackDamage damage) throws Exception {
        assertANextRunFailsAsAnUnreadableState(name, "customers", damage);
    }

    private void assertANextRunFailsAsAnUnreadableState(String name, String kind, PackDamage damage) throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve(name));
        fill(bucket);
        processor(bucket, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process("events/a.jsonl");
        String leaf = pack(kind, 1, a(bucket));
        damage.damage(bucket, leaf);
        RunReport b = processor(bucket, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process("events/b.jsonl");
        assertEquals(RunReport.Outcome.FAILED, b.outcome());
        assertEquals(FailureCause.CONFIGURATION, b.cause());
        assertTrue(b.error().contains(leaf) && b.error().contains("cannot be read"), b.error());
    }

    @Test
    void aPackMissingFromTheCommittedStateFailsAsAnUnreadableState() throws Exception {
        assertANextRunFailsAsAnUnreadableState("missing", (bucket, pack) -> bucket.delete(pack));
    }

    @Test
    void aDamagedPackFailsAsAnUnreadableState() throws Exception {
        assertANextRunFailsAsAnUnreadableState("damaged", (bucket, pack) -> bucket.put(pack,
                new byte[bucket.read(pack).orElseThrow().bytes().length], "application/octet-stream"));
    }

    @Test
    void aPackShorterThanTheManifestSaysFailsAsAnUnreadableState() throws Exception {
        assertANextRunFailsAsAnUnreadableState("short",
                (bucket, pack) -> bucket.put(pack, new byte[] {1}, "application/octet-stream"));
    }

    @Test
    void oneBitChangedInAnIdPackFailsAsAnUnreadableStateNotAsADuplicateLetIn() throws Exception {
        // a bit of a leaf's Bloom filter, which a run trusts without decoding the ids: the checksum catches it
        assertANextRunFailsAsAnUnreadableState("bit", "ids", (bucket, pack) -> {
            byte[] b = bucket.read(pack).orElseThrow().bytes();
            b[b.length - 20] ^= 0x04; // the last leaf, which holds the newest ids
            b[20] ^= 0x04; // and the first, in its filter
            bucket.put(pack, b, "application/octet-stream");
        });
    }

    @Test
    void aLeafDamagedOnTheWayFailsItsRunAndIsReadAgainByTheNext() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("transit"));
        fill(bucket);
        processor(bucket, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process("events/a.jsonl");
        AtomicBoolean damage = new AtomicBoolean(true);
        ObjectStore flaky = new InterceptingStore(bucket, k -> { }) {
            @Override
            public Optional<byte[]> readRange(String key, long offset, int length) throws IOException {
                Optional<byte[]> read = super.readRange(key, offset, length);
                if (key.startsWith("state/ids/") && damage.getAndSet(false)) {
                    read.get()[read.get().length / 2] ^= 0x08; // once: the store holds it whole
                }
                return read;
            }
        };
        ObjectProcessor warm = processor(flaky, Buckets.FIXED_CLOCK, StateLeaves.GRACE);
        RunReport b = warm.process("events/b.jsonl");
        assertEquals(RunReport.Outcome.FAILED, b.outcome());
        assertTrue(b.error().contains("cannot be read"), b.error());
        // the damaged bytes were read into the cache: the next run of the same processor reads them from the store
        RunReport again = warm.process("events/b.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, again.outcome(), again.error());
    }
}
