package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.metrics.MetricsCalculator;
import io.sessionlake.run.Layout;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.run.StateRepository;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.testing.Buckets;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A single-object state written by an earlier version is read once and converted into leaves and a manifest. */
class StateFormatTest {

    @TempDir
    Path bucket;
    @TempDir
    Path fresh;

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = StateFormatTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aFormat2StateOfTheGoldenFeedHoldsWhatTodaysStateHolds() throws Exception {
        Buckets.copyGolden(fresh);
        LocalFolderStore store = new LocalFolderStore(fresh);
        Buckets.processAll(store, RunSettings.defaults());
        SessionState now = new StateRepository(store).load(SessionConfig.DEFAULT).state();
        // state/state.bin of the same feed, written by sessionlake before format 3 (deflate, no shared strings)
        SessionState old = StateCodec.decode(new ByteArrayInputStream(resource("/state/golden-format2.bin")));

        assertEquals(now.ledger().keySet(), old.ledger().keySet());
        assertEquals(now.sequence(), old.sequence());
        assertEquals(now.watermark(), old.watermark());
        assertEquals(MetricsCalculator.compute(now), MetricsCalculator.compute(old));
    }

    @Test
    void aFormat4StateIsConvertedByTheNextRunWhichWritesWhatAnUnbrokenHistoryWrites() throws Exception {
        LocalFolderStore unbroken = unbroken();
        // the first two golden objects processed by the version before leaves (commit 109c74c): state.bin only
        Buckets.copyGolden(bucket);
        byte[] legacy = resource("/state/golden-first-two-format4.bin");
        Files.createDirectories(bucket.resolve("state"));
        Files.write(bucket.resolve(Layout.LEGACY_STATE_KEY), legacy);
        LocalFolderStore converted = new LocalFolderStore(bucket);
        assertTheThirdRunWritesWhatAnUnbrokenHistoryWrites(unbroken, converted);
        assertTrue(converted.stat(Layout.STATE_KEY).isPresent(), "the converting run committed a manifest");
        assertArrayEquals(legacy, Files.readAllBytes(bucket.resolve(Layout.LEGACY_STATE_KEY)), "state.bin is left as it was");
    }

    @Test
    void aManifestOfFormat2IsContinuedByTheNextRunWhichWritesWhatAnUnbrokenHistoryWrites() throws Exception {
        LocalFolderStore unbroken = unbroken();

        // the first two golden objects processed by the version before the dedupe window's generations (c2f89ae):
        // manifest format 2, id leaves of the first layout (no filter)
        Buckets.copyGolden(bucket);
        Buckets.copyFirstTwoGoldenState(bucket, "manifest2-first-two");
        LocalFolderStore continued = new LocalFolderStore(bucket);
        assertTheThirdRunWritesWhatAnUnbrokenHistoryWrites(unbroken, continued);
        // the first object's events again, under another key: every one it accepted is a duplicate, found in the
        // generation the format-2 manifest named (leaves without filters) as in an unbroken history
        for (Path b : List.of(fresh, bucket)) {
            Files.copy(b.resolve("events/events-1.jsonl"), b.resolve("events/events-1-again.jsonl"));
        }
        io.sessionlake.run.LineCounts again = new io.sessionlake.run.ObjectProcessor(continued, RunSettings.defaults(),
                Buckets.FIXED_CLOCK).process("events/events-1-again.jsonl").counts();
        io.sessionlake.run.LineCounts expectedAgain = new io.sessionlake.run.ObjectProcessor(unbroken,
                RunSettings.defaults(), Buckets.FIXED_CLOCK).process("events/events-1-again.jsonl").counts();
        assertEquals(0, again.accepted());
        assertTrue(again.duplicate() > 0);
        assertEquals(expectedAgain.duplicate(), again.duplicate());
        assertEquals(expectedAgain.late(), again.late());
    }

    /** The golden feed processed whole in {@code fresh}: what a history without a change of version writes. */
    private LocalFolderStore unbroken() throws Exception {
        Buckets.copyGolden(fresh);
        LocalFolderStore unbroken = new LocalFolderStore(fresh);
        Buckets.processAll(unbroken, RunSettings.defaults());
        return unbroken;
    }

    /**
     * The golden feed processed in {@code later} on a state of its first two objects by an earlier version: those two
     * are skipped by the ledger, and the third run writes what the third run of the unbroken history wrote.
     */
    private static void assertTheThirdRunWritesWhatAnUnbrokenHistoryWrites(LocalFolderStore unbroken,
            LocalFolderStore later) throws Exception {
        List<RunReport> reports = Buckets.processAll(later, RunSettings.defaults());
        assertEquals(List.of(RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, RunReport.Outcome.SKIPPED_ALREADY_PROCESSED,
                RunReport.Outcome.SUCCEEDED), reports.stream().map(RunReport::outcome).toList());
        TreeMap<String, byte[]> third = Buckets.outputs(later, "sessions/", "clean_events/", "metrics/");
        TreeMap<String, byte[]> expected = new TreeMap<>();
        Buckets.outputs(unbroken, "sessions/", "clean_events/", "metrics/").forEach((k, v) -> {
            if (k.contains("r000000000003-") || k.startsWith("metrics/")) {
                expected.put(k, v);
            }
        });
        assertEquals(expected.keySet(), third.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, third.get(k), k));
    }
}
