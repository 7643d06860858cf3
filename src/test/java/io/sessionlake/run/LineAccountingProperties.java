package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.testing.Buckets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * SPEC 2's promise: every non-blank line of an object ends in exactly one outcome, the counts add up to
 * the lines, and every late or rejected line is kept under rejected/ once. Random objects mixing good,
 * anonymous, duplicate, late, malformed, too long and blank lines, processed one after another into one
 * bucket. Lines too long come in two sizes: within a block (read whole, then cut) and longer than a block
 * (never held whole), with or without a newline at the end of the object.
 */
class LineAccountingProperties {
    private static final int MAX_LINE_BYTES = 300;

    private static final String[] BAD = {"not json", "{\"id\": 1, \"type\": \"page_view\", \"event\": {\"timestamp\": \"20",
        "{\"id\": \"x\", \"type\": \"a\", \"event\": {\"customer-id\": 1, \"timestamp\": \"2022-04-20T10:00:00\"}}",
        "{\"id\": 5, \"type\": \"a\", \"event\": {\"customer-id\": 1, \"timestamp\": \"yesterday\"}}",
        "{\"id\": 6, \"type\": \"a\", \"event\": {\"customer-id\": \"abc\", \"timestamp\": \"2022-04-20T10:00:00\"}}",
        "{\"id\": 7, \"event\": {\"customer-id\": 1, \"timestamp\": \"2022-04-20T10:00:00\"}}", "[]", "\u00ff\u00fe"};

    @Property(tries = 60)
    void everyNonBlankLineIsCountedOnceAndRejectedOnesAreKept(@ForAll long seed) throws IOException {
        Random r = new Random(seed);
        Path bucket = Files.createTempDirectory("accounting-");
        try {
            int objects = 1 + r.nextInt(4);
            long nonBlank = 0;
            long tooLong = 0;
            for (int o = 0; o < objects; o++) {
                StringBuilder text = new StringBuilder();
                int lines = r.nextInt(40);
                for (int i = 0; i < lines; i++) {
                    int kind = r.nextInt(10);
                    if (kind == 0) {
                        text.append(r.nextBoolean() ? "" : "  \t").append('\n');
                        continue;
                    }
                    boolean long_ = kind == 3 && r.nextInt(6) == 0;
                    boolean blankLong = long_ && r.nextInt(8) == 0;
                    if (blankLong) { // whitespace only, however long: blank, not counted
                        text.append(" ".repeat(MAX_LINE_BYTES + 1 + r.nextInt(700_000))).append('\n');
                        continue;
                    }
                    nonBlank++;
                    if (kind == 1) {
                        text.append(BAD[r.nextInt(BAD.length)]);
                    } else if (long_) {
                        tooLong++;
                        int pad = r.nextBoolean() ? MAX_LINE_BYTES + r.nextInt(2000) : 600_000 + r.nextInt(600_000);
                        text.append("{\"id\": 1, \"type\": \"page_view\", \"event\": {\"customer-id\": 1, \"page\": \"")
                                .append("p".repeat(pad)).append("\", \"timestamp\": \"2022-04-20T10:00:00\"}}");
                    } else {
                        long id = r.nextInt(60); // small id space: duplicates happen
                        String customer = kind == 2 ? "null" : String.valueOf(1 + r.nextInt(3));
                        int day = 10 + r.nextInt(15); // spread over two weeks: some lines are late
                        text.append("{\"id\": ").append(id).append(", \"type\": \"page_view\", \"event\": {\"customer-id\": ")
                                .append(customer).append(", \"timestamp\": \"2022-04-").append(day).append("T10:")
                                .append(10 + r.nextInt(50)).append(":00\"}}");
                    }
                    if (i < lines - 1 || r.nextInt(3) > 0) { // sometimes no newline at the end of the object
                        text.append(r.nextInt(5) == 0 ? "\r\n" : "\n");
                    }
                }
                Path file = bucket.resolve("events/part-" + o + ".jsonl");
                Files.createDirectories(file.getParent());
                Files.writeString(file, text, StandardCharsets.UTF_8);
            }
            RunSettings d = RunSettings.defaults();
            List<RunReport> reports = Buckets.processAll(new LocalFolderStore(bucket), new RunSettings(
                    d.inputPrefix(), d.sessions(), MAX_LINE_BYTES, d.parquetCodec(), d.maxCommitAttempts()));
            long lines = 0;
            long kept = 0;
            long cut = 0;
            for (RunReport report : reports) {
                assertEquals(RunReport.Outcome.SUCCEEDED, report.outcome(), report.error());
                LineCounts c = report.counts();
                assertEquals(c.lines(), c.accepted() + c.anonymous() + c.duplicate() + c.late() + c.rejected());
                assertEquals(c.rejected(), c.rejectedByReason().values().stream().mapToLong(Long::longValue).sum());
                lines += c.lines();
                kept += c.late() + c.rejected();
                cut += c.rejectedByReason().getOrDefault("line_too_long", 0L);
            }
            assertEquals(nonBlank, lines);
            assertEquals(tooLong, cut);
            assertEquals(kept, linesUnder(bucket.resolve("rejected")));
        } finally {
            try (Stream<Path> paths = Files.walk(bucket)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long linesUnder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long n = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                n += Files.readAllLines(f, StandardCharsets.UTF_8).size();
            }
        }
        return n;
    }
}
