package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state in leaves, run by run: a run reads the leaves its events need and writes those it changed, retired
 * leaves go after their grace period, and a leaf retired under a running run makes it read the new state.
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
        return new ObjectProcessor(store, RunSettings.defaults(), clock, SMALL, grace);
    }

    /** Records the keys read and written under state/. */
    private static final class Recording extends InterceptingStore {
        // leaves are read and written on several threads at once
        final List<String> reads = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> writes = java.util.Collections.synchronizedList(new ArrayList<>());

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

    @Test
    void aRunReadsTheLeavesOfItsEventsAndWritesOnlyThoseItChanged() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("leaves"));
        fill(bucket);
        ObjectProcessor p = processor(bucket, Buckets.FIXED_CLOCK, StateLeaves.GRACE);
        assertEquals(RunReport.Outcome.SUCCEEDED, p.process("events/a.jsonl").outcome());
        assertEquals(10, keys(bucket, "state/customers/").size());
        assertEquals(5, keys(bucket, "state/ids/").size());

        Recording recording = new Recording(bucket);
        RunReport b = processor(recording, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process("events/b.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, b.outcome(), b.error());
        String runB = b.runId();
        // the manifest, the last leaf of ids (33 to 40, where 41 goes), the leaf of customers 5 to 8
        assertEquals(Set.of(Layout.STATE_KEY, "state/ids/33-r000000000001-" + a(bucket) + ".bin",
                "state/customers/5-r000000000001-" + a(bucket) + ".bin"), Set.copyOf(recording.reads));
        assertEquals(3, recording.reads.size(), "each once: " + recording.reads);
        // the last leaf of ids was full: it splits into a full one and a new last one that takes the next ids
        assertEquals(Set.of("state/customers/5-r000000000002-" + runB + ".bin",
                "state/ids/33-r000000000002-" + runB + ".bin", "state/ids/41-r000000000002-" + runB + ".bin",
                Layout.STATE_KEY), Set.copyOf(recording.writes));
        assertEquals(Layout.STATE_KEY, recording.writes.get(3), "the manifest last, after every leaf");
        assertTrue(b.stateSizeBytes() > 3 * (recording.writes.size() - 1) * 100, "the report counts every leaf");
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
        }
        for (String key : List.of("events/a.jsonl", "events/b.jsonl", "events/c.jsonl", "events/d.jsonl")) {
            processor(small, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process(key);
            new ObjectProcessor(whole, RunSettings.defaults(), Buckets.FIXED_CLOCK).process(key);
        }
        TreeMap<String, byte[]> want = Buckets.outputs(whole, "sessions/", "clean_events/", "metrics/");
        TreeMap<String, byte[]> got = Buckets.outputs(small, "sessions/", "clean_events/", "metrics/");
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertArrayEquals(v, got.get(k), k));
    }

    @Test
    void retiredLeavesAreDeletedOnceTheirGracePeriodHasPassed() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("grace"));
        fill(bucket);
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        processor(bucket, Clock.fixed(t0, ZoneOffset.UTC), Duration.ofHours(1)).process("events/a.jsonl");
        Set<String> afterA = keys(bucket, LEAVES);
        processor(bucket, Clock.fixed(t0, ZoneOffset.UTC), Duration.ofHours(1)).process("events/b.jsonl");
        Set<String> replaced = new TreeSet<>(afterA);
        replaced.retainAll(Set.of("state/customers/5-r000000000001-" + a(bucket) + ".bin",
                "state/ids/33-r000000000001-" + a(bucket) + ".bin"));
        assertEquals(2, replaced.size(), afterA.toString());

        processor(bucket, Clock.fixed(t0.plus(Duration.ofMinutes(59)), ZoneOffset.UTC), Duration.ofHours(1))
                .process("events/c.jsonl");
        assertTrue(keys(bucket, LEAVES).containsAll(replaced), "inside the grace period a run may still read them");

        processor(bucket, Clock.fixed(t0.plus(Duration.ofMinutes(61)), ZoneOffset.UTC), Duration.ofHours(1))
                .process("events/d.jsonl");
        Set<String> left = keys(bucket, LEAVES);
        for (String k : replaced) {
            assertFalse(left.contains(k), k + " is gone");
        }
        // every leaf the manifest names is still there: a run over every customer reads them all
        StringBuilder all = new StringBuilder();
        for (int c = 1; c <= 40; c++) {
            all.append(line(100 + c, c, "12:00:00"));
        }
        put(bucket, "events/e.jsonl", all.toString());
        RunReport e = processor(bucket, Clock.fixed(t0.plus(Duration.ofMinutes(62)), ZoneOffset.UTC),
                Duration.ofHours(1)).process("events/e.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, e.outcome(), e.error());
    }

    @Test
    void aLeafRetiredAndDeletedUnderARunningRunMakesItReadTheNewState() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("race"));
        fill(bucket);
        processor(bucket, Buckets.FIXED_CLOCK, Duration.ZERO).process("events/a.jsonl");
        AtomicBoolean overtake = new AtomicBoolean(true);
        ObjectStore slow = new InterceptingStore(bucket, k -> { }) {
            @Override
            public Optional<StoredBytes> read(String key) throws IOException {
                if (key.startsWith("state/customers/") && overtake.getAndSet(false)) {
                    // two runs commit meanwhile: b retires the leaf of customer 7, c deletes it (no grace)
                    assertEquals(RunReport.Outcome.SUCCEEDED, processor(bucket, Buckets.FIXED_CLOCK, Duration.ZERO)
                            .process("events/b.jsonl").outcome());
                    assertEquals(RunReport.Outcome.SUCCEEDED, processor(bucket, Buckets.FIXED_CLOCK, Duration.ZERO)
                            .process("events/c.jsonl").outcome());
                }
                return super.read(key);
            }
        };
        RunReport d = processor(slow, Buckets.FIXED_CLOCK, Duration.ZERO).process("events/d.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, d.outcome(), d.error());
        assertEquals(2, d.attempts(), "the missing leaf was a lost race: read again");
        assertEquals(4, d.stateSequence());
    }

    @Test
    void aLeafMissingFromTheCommittedStateFailsAsAnUnreadableState() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("missing"));
        fill(bucket);
        processor(bucket, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process("events/a.jsonl");
        String leaf = "state/customers/5-r000000000001-" + a(bucket) + ".bin";
        bucket.delete(leaf);
        RunReport b = processor(bucket, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process("events/b.jsonl");
        assertEquals(RunReport.Outcome.FAILED, b.outcome());
        assertEquals(FailureCause.CONFIGURATION, b.cause());
        assertTrue(b.error().contains(leaf) && b.error().contains("cannot be read"), b.error());
    }

    @Test
    void aDamagedLeafFailsAsAnUnreadableState() throws Exception {
        LocalFolderStore bucket = new LocalFolderStore(tmp.resolve("damaged"));
        fill(bucket);
        processor(bucket, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process("events/a.jsonl");
        String leaf = "state/customers/5-r000000000001-" + a(bucket) + ".bin";
        byte[] bytes = bucket.read(leaf).orElseThrow().bytes();
        bucket.put(leaf, java.util.Arrays.copyOf(bytes, bytes.length / 2), "application/octet-stream");
        RunReport b = processor(bucket, Buckets.FIXED_CLOCK, StateLeaves.GRACE).process("events/b.jsonl");
        assertEquals(RunReport.Outcome.FAILED, b.outcome());
        assertEquals(FailureCause.CONFIGURATION, b.cause());
        assertTrue(b.error().contains(leaf) && b.error().contains("cannot be read"), b.error());
    }
}
