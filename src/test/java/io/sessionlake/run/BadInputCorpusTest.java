package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.DuckDb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Objects a real feed will one day contain; each is accounted for line by line and never fails the run. */
class BadInputCorpusTest {
    private static final String GOOD = FailurePathsTest.eventLine(1, "2022-04-20T10:00:00");

    @TempDir
    Path bucket;

    private RunReport process(String name, byte[] content) throws Exception {
        Path file = bucket.resolve("events").resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        RunReport r = new ObjectProcessor(new LocalFolderStore(bucket), RunSettings.defaults(), Buckets.FIXED_CLOCK)
                .process("events/" + name);
        assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), r.error());
        assertTrue(r.counts().addsUp(), "counts add up to the lines");
        return r;
    }

    @Test
    void emptyObjectSucceedsWithNoLines() throws Exception {
        RunReport r = process("empty.jsonl", new byte[0]);
        assertEquals(0, r.counts().lines());
        assertEquals(0, r.sessionRevisions());
    }

    @Test
    void byteOrderMarkAndCrlfAreTolerated() throws Exception {
        String text = "\uFEFF" + GOOD.replace("\n", "\r\n") + FailurePathsTest.eventLine(2, "2022-04-20T10:05:00").replace("\n", "\r\n");
        RunReport r = process("bom-crlf.jsonl", text.getBytes(StandardCharsets.UTF_8));
        assertEquals(2, r.counts().accepted());
        assertEquals(0, r.counts().rejected());
    }

    @Test
    void binaryJunkIsRejectedLineByLineAndKeptAsBase64() throws Exception {
        byte[] junk = new byte[20_000];
        new Random(7).nextBytes(junk);
        byte[] content = concat(GOOD.getBytes(StandardCharsets.UTF_8), junk);
        RunReport r = process("junk.bin", content);
        assertEquals(1, r.counts().accepted());
        assertTrue(r.counts().rejected() > 10, "junk lines are rejected: " + r.counts().rejected());
        assertEquals(r.counts().rejected(), r.counts().rejectedByReason().get("invalid_json"));
        try (DuckDb db = new DuckDb()) {
            List<Map<String, Object>> rows = db.query("SELECT count(*) n, count(raw_base64) b64 FROM read_json('" + bucket
                    + "/rejected/*.jsonl', format='newline_delimited')");
            assertEquals(r.counts().rejected(), rows.get(0).get("n"));
            assertTrue((Long) rows.get(0).get("b64") > 0, "non-UTF-8 lines are kept as base64");
        }
    }

    @Test
    void tenMegabyteLineIsRejectedAsTooLongAndTheRestIsRead() throws Exception {
        char[] big = new char[10 * 1024 * 1024];
        Arrays.fill(big, 'x');
        String huge = "{\"id\": 5, \"type\": \"page_view\", \"event\": {\"page\": \"" + new String(big) + "\"}}\n";
        RunReport r = process("huge.jsonl", (GOOD + huge + FailurePathsTest.eventLine(2, "2022-04-20T10:01:00"))
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(3, r.counts().lines());
        assertEquals(2, r.counts().accepted());
        assertEquals(1L, r.counts().rejectedByReason().get("line_too_long"));
        try (DuckDb db = new DuckDb()) {
            Map<String, Object> rejected = db.query("SELECT line_number, reason, truncated, line_bytes, length(raw) kept,"
                    + " starts_with(raw, '{\"id\": 5, \"type\"') AS head FROM read_json('" + bucket
                    + "/rejected/*.jsonl', format='newline_delimited', maximum_object_size=20000000)").get(0);
            assertEquals(2L, rejected.get("line_number"));
            assertEquals("line_too_long", rejected.get("reason"));
            assertEquals(true, rejected.get("truncated"));
            assertEquals((long) huge.length() - 1, rejected.get("line_bytes"), "the full length of the line");
            assertEquals((long) RunSettings.defaults().maxLineBytes(), rejected.get("kept"),
                    "the first max-line-bytes of it are kept");
            assertEquals(true, rejected.get("head"));
        }
    }

    @Test
    void unknownEventTypeIsKeptAndCounted() throws Exception {
        String line = GOOD.replace("page_view", "Wishlist_Add");
        RunReport r = process("unknown.jsonl", line.getBytes(StandardCharsets.UTF_8));
        assertEquals(1, r.counts().accepted());
        assertEquals(Map.of("wishlist_add", 1L), r.counts().unknownTypes());
        try (DuckDb db = new DuckDb()) {
            assertEquals("wishlist_add", db.query("SELECT event_type FROM read_parquet('" + bucket
                    + "/clean_events/*/*.parquet')").get(0).get("event_type"));
        }
    }

    @Test
    void gzipObjectWithoutGzSuffixIsRead() throws Exception {
        RunReport r = process("zipped.jsonl", FailurePathsTest.gzip(GOOD.getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, r.counts().accepted());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
