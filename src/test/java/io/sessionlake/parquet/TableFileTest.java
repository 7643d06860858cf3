package io.sessionlake.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.testing.DuckDb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our mapping of rows to parquet-java's column writers, checked by an independent reader: DuckDB must read
 * back every value, null and boundary exactly, and see min/max statistics that are those of the values,
 * across many pages and row groups. FilterPushdownTest checks the page indexes with parquet-java's reader.
 */
class TableFileTest {
    private static final String SCHEMA = """
            message t {
              required int64 row;
              required int64 ts (TIMESTAMP(MICROS,true));
              required binary kind (STRING);
              optional binary text (STRING);
              optional binary note (STRING);
              optional int32 pos;
              required int32 n;
              required double d;
              required boolean flag;
            }
            """;

    record Row(long row, long ts, String kind, String text, String note, Integer pos, int n, double d,
            boolean flag) {
    }

    private static final String[] KINDS = {"page_view", "search", "placed_order", "brand_new"};
    private static final String[] TEXTS = {"https://xcc-webshop.com/", "Mozilla/5.0 (X11; Linux x86_64)", "",
        "caf\u00e9 \u2603", "\ud83d\ude00 emoji", "https://xcc-webshop.com/products/17"};
    private static final double[] DOUBLES = {0.0, -0.0, 1.5, -2.25, 1e300, Double.MIN_VALUE, 86400.0};

    @TempDir
    Path dir;

    private static ParquetTable<Row> table(CompressionCodecName codec) {
        return table(codec, Set.of("note"));
    }

    private static ParquetTable<Row> table(CompressionCodecName codec, Set<String> withoutDictionary) {
        return new ParquetTable<>(SCHEMA, (c, r) -> {
            c.int64(0, r.row());
            c.int64(1, r.ts());
            c.string(2, r.kind());
            c.string(3, r.text());
            c.string(4, r.note());
            c.int32(5, r.pos());
            c.int32(6, r.n());
            c.float64(7, r.d());
            c.bool(8, r.flag());
        }, codec, withoutDictionary, Set.of("row"));
    }

    private static List<Row> rows(long seed, int count, int distinctTexts) {
        Random r = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String text = switch (r.nextInt(5)) {
                case 0 -> null;
                case 1 -> TEXTS[r.nextInt(TEXTS.length)];
                default -> "t" + r.nextInt(distinctTexts);
            };
            // runs of the same value, as a customer's rows have, and short alternations
            String kind = KINDS[(i / (1 + r.nextInt(12))) % KINDS.length];
            String note = r.nextInt(4) == 0 ? null : Long.toString(r.nextLong(), 36) + TEXTS[r.nextInt(TEXTS.length)];
            Integer pos = r.nextInt(3) == 0 ? null : r.nextInt(40) - 5;
            rows.add(new Row(i, 1_648_771_200_000_000L + r.nextInt(1_000_000) * 60_000_000L + r.nextInt(1000),
                    kind, text, note, pos, r.nextInt(), DOUBLES[r.nextInt(DOUBLES.length)] * (r.nextInt(9) + 1),
                    r.nextInt(7) == 0));
        }
        return rows;
    }

    private Path write(String name, ParquetTable<Row> table, List<Row> rows, int rowGroupRows, int pageRows)
            throws Exception {
        Path file = dir.resolve(name);
        try (TableFile<Row> f = table.open(file, rowGroupRows, pageRows)) {
            for (Row row : rows) {
                f.write(row);
            }
        }
        return file;
    }

    @Test
    void everyValueReadsBackAcrossPagesAndRowGroups() throws Exception {
        List<Row> rows = rows(1, 5_000, 300);
        Path file = write("a.parquet", table(CompressionCodecName.SNAPPY), rows, 1_700, 211);
        assertEquals(rows, readBack(file));
        assertEquals(3, chunks(file, "row").size(), "5000 rows in row groups of 1700");
    }

    @Test
    void eachCodecAndColumnsOfNullsOnly() throws Exception {
        List<Row> rows = rows(2, 900, 50).stream()
                .map(r -> new Row(r.row(), r.ts(), r.kind(), null, null, null, r.n(), r.d(), r.flag())).toList();
        for (CompressionCodecName codec : List.of(CompressionCodecName.UNCOMPRESSED, CompressionCodecName.SNAPPY,
                CompressionCodecName.GZIP, CompressionCodecName.ZSTD)) {
            Path file = write(codec + ".parquet", table(codec), rows, 400, 128);
            assertEquals(rows, readBack(file), codec.name());
        }
    }

    /**
     * SNAPPY pages go through snappy-java directly ({@link SnappyPages}), not through parquet-java's codec factory and
     * Hadoop's codec classes: the files are the same bytes either way, and each chunk says SNAPPY and is compressed.
     */
    @Test
    void snappyPagesWriteTheFileParquetJavasCodecFactoryWrites() throws Exception {
        List<Row> rows = rows(5, 6_000, 200);
        ParquetTable<Row> table = table(CompressionCodecName.SNAPPY);
        Path direct = dir.resolve("direct.parquet");
        Path viaFactory = dir.resolve("factory.parquet");
        for (Path file : List.of(direct, viaFactory)) {
            try (TableFile<Row> f = table.open(file, 2_500, 300, file.equals(viaFactory))) {
                for (Row row : rows) {
                    f.write(row);
                }
            }
        }
        assertArrayEquals(Files.readAllBytes(viaFactory), Files.readAllBytes(direct));
        assertEquals(rows, readBack(direct));
        for (Map<String, Object> chunk : chunks(direct, "note")) { // DuckDB's reading of the footer
            assertEquals("SNAPPY", chunk.get("compression"));
            assertTrue(((Number) chunk.get("total_compressed_size")).longValue()
                    < ((Number) chunk.get("total_uncompressed_size")).longValue(), "compressed: " + chunk);
        }
    }

    @Test
    void optionalColumnsWithoutNullsAndPagesOfOnlyNulls() throws Exception {
        List<Row> rows = rows(4, 3_000, 40).stream()
                .map(r -> r.row() < 1_000 // pages with no null, then pages with only nulls, then a mix
                        ? new Row(r.row(), r.ts(), r.kind(), "t" + r.row() % 7, "n" + r.row(), (int) r.row(), r.n(),
                                r.d(), r.flag())
                        : r.row() < 2_000 ? new Row(r.row(), r.ts(), r.kind(), null, null, null, r.n(), r.d(), r.flag())
                        : r)
                .toList();
        Path file = write("levels.parquet", table(CompressionCodecName.SNAPPY), rows, 3_000, 250);
        assertEquals(rows, readBack(file));
    }

    @Test
    void repeatingValuesAreDictionaryEncodedAndColumnsWithoutDictionaryPlain() throws Exception {
        Random r = new Random(5);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 9_003; i++) {
            long minute = 1_648_771_200_000_000L + r.nextInt(30) * 60_000_000L;
            Integer pos = i % 5 == 0 ? null : r.nextInt(3) - 1;
            rows.add(new Row(i, minute, "k" + r.nextInt(3), null, "n" + i, pos, r.nextInt(12), 1.5, false));
        }
        Path file = write("numbers.parquet", table(CompressionCodecName.SNAPPY), rows, 9_003, 1_000);
        assertEquals(rows, readBack(file));
        for (String column : List.of("ts", "pos", "n", "kind")) {
            Map<String, Object> chunk = chunks(file, column).get(0);
            assertTrue(String.valueOf(chunk.get("encodings")).contains("DICTIONARY"), chunk.toString());
        }
        Map<String, Object> note = chunks(file, "note").get(0);
        assertTrue(!String.valueOf(note.get("encodings")).contains("DICTIONARY"), note.toString());
        Map<String, Object> pos = chunks(file, "pos").get(0); // statistics are of the values, not of the ids
        assertEquals("-1", pos.get("stats_min_value"));
        assertEquals("1", pos.get("stats_max_value"));
        assertEquals(rows.stream().filter(x -> x.pos() == null).count(), ((Number) pos.get("stats_null_count")).longValue());
    }

    /**
     * parquet-java's default values-writer factory is one instance for the whole JVM, set to the properties built
     * last (parquet-java issue 2174): a run builds the clean-event table, then the session table, then opens its
     * files, so clean events were encoded with the session table's dictionary settings, and with the clean-event
     * table's own when another run built one meanwhile; the same rows gave other bytes (the soak saw it).
     */
    @Test
    void aFileIsEncodedWithItsOwnTablesSettingsWhicheverTableWasBuiltLast() throws Exception {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) { // notes repeat: a dictionary, where allowed, is kept
            rows.add(new Row(i, 1_648_771_200_000_000L + i, KINDS[i % 4], null, "note-" + i % 7, i % 3, i, 1.5, false));
        }
        ParquetTable<Row> plainNotes = table(CompressionCodecName.SNAPPY, Set.of("note"));
        Path alone = writeWithTableDefaults("alone.parquet", plainNotes, rows);
        ParquetTable<Row> dictionaryNotes = table(CompressionCodecName.SNAPPY, Set.of());
        Path afterAnother = writeWithTableDefaults("after-another.parquet", plainNotes, rows);
        Path other = writeWithTableDefaults("other.parquet", dictionaryNotes, rows);

        assertEquals(Set.of("PLAIN", "RLE", "BIT_PACKED"), encodings(afterAnother, "note"),
                "note of the table without a dictionary on it");
        assertEquals(Set.of("PLAIN_DICTIONARY", "RLE", "BIT_PACKED"), encodings(other, "note"),
                "note of the table with one");
        assertArrayEquals(Files.readAllBytes(alone), Files.readAllBytes(afterAnother),
                "the same rows through the same table: the same bytes");
        assertEquals(rows, readBack(afterAnother));
    }

    /**
     * As a set: parquet-java lists a chunk's encodings from a HashSet of enum constants, whose order follows their
     * identity hashes and so differs from one JVM to the next.
     */
    private static Set<String> encodings(Path file, String column) throws Exception {
        return Set.of(String.valueOf(chunks(file, column).get(0).get("encodings")).split(", "));
    }

    /** Through the production sizes of row groups and pages, as a run opens its files. */
    private Path writeWithTableDefaults(String name, ParquetTable<Row> table, List<Row> rows) throws Exception {
        Path file = dir.resolve(name);
        try (TableFile<Row> f = table.open(file)) {
            for (Row row : rows) {
                f.write(row);
            }
        }
        return file;
    }

    @Test
    void bloomFiltersAreWrittenForTheColumnsLookedUpByOneValue() throws Exception {
        List<Row> rows = rows(8, 4_000, 100);
        Path file = write("bloom.parquet", table(CompressionCodecName.SNAPPY), rows, 1_500, 500);
        try (DuckDb db = new DuckDb()) {
            List<Map<String, Object>> withFilter = db.query("SELECT row_group_id, path_in_schema,"
                    + " bloom_filter_offset FROM parquet_metadata('" + file + "') WHERE bloom_filter_offset IS NOT NULL"
                    + " ORDER BY row_group_id");
            assertEquals(List.of("row", "row", "row"),
                    withFilter.stream().map(m -> m.get("path_in_schema")).toList(), withFilter.toString());
            // present for the values written, absent for one that was not
            Map<String, Object> hit = db.query("SELECT * FROM parquet_bloom_probe('" + file + "', 'row', 3999)")
                    .stream().filter(m -> !((Boolean) m.get("bloom_filter_excludes"))).findFirst().orElseThrow();
            assertEquals(2, ((Number) hit.get("row_group_id")).intValue(), hit.toString());
        }
    }

    @Test
    void tooManyDistinctValuesFallBackToPlainEncoding() throws Exception {
        // about 70,000 distinct texts of 50 bytes: a dictionary past parquet-java's 1 MiB page limit
        List<Row> rows = rows(3, 120_000, 1_000_000).stream()
                .map(r -> new Row(r.row(), r.ts(), r.kind(), r.text() == null ? null : r.text() + "-".repeat(40),
                        r.note(), r.pos(), r.n(), r.d(), r.flag())).toList();
        Path file = write("wide.parquet", table(CompressionCodecName.SNAPPY), rows, 120_000, 20_000);
        assertEquals(rows, readBack(file));
        Map<String, Object> text = chunks(file, "text").get(0);
        Map<String, Object> kind = chunks(file, "kind").get(0);
        // parquet-java falls back once the dictionary is full: the later pages are PLAIN
        assertTrue(List.of(String.valueOf(text.get("encodings")).split(", ")).contains("PLAIN"), text.toString());
        assertTrue(!List.of(String.valueOf(kind.get("encodings")).split(", ")).contains("PLAIN"), kind.toString());
    }

    @Test
    void statisticsAreTheMinAndMaxOfEachRowGroup() throws Exception {
        List<Row> rows = rows(4, 3_000, 200);
        int group = 1_000;
        Path file = write("stats.parquet", table(CompressionCodecName.SNAPPY), rows, group, 300);
        try (DuckDb db = new DuckDb()) {
            List<Map<String, Object>> stats = db.query("SELECT row_group_id, path_in_schema, stats_min_value,"
                    + " stats_max_value, stats_null_count FROM parquet_metadata('" + file + "')");
            for (Map<String, Object> s : stats) {
                int g = ((Number) s.get("row_group_id")).intValue();
                List<Row> part = rows.subList(g * group, (g + 1) * group);
                String column = (String) s.get("path_in_schema");
                switch (column) {
                    case "row", "n", "pos" -> {
                        Function<Row, Long> f = column.equals("row") ? r -> r.row()
                                : column.equals("n") ? r -> (long) r.n()
                                : r -> r.pos() == null ? null : (long) r.pos();
                        List<Long> v = part.stream().map(f).filter(Objects::nonNull).toList();
                        assertEquals(String.valueOf(v.stream().min(Long::compare).get()), s.get("stats_min_value"),
                                column + " min in group " + g);
                        assertEquals(String.valueOf(v.stream().max(Long::compare).get()), s.get("stats_max_value"),
                                column + " max in group " + g);
                        assertEquals((long) (part.size() - v.size()), ((Number) s.get("stats_null_count")).longValue());
                    }
                    case "text", "note" -> {
                        Function<Row, String> f = column.equals("text") ? Row::text : Row::note;
                        Comparator<String> utf8 = (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                                b.getBytes(StandardCharsets.UTF_8));
                        List<String> v = part.stream().map(f).filter(Objects::nonNull).toList();
                        assertEquals(v.stream().min(utf8).get(), s.get("stats_min_value"), column + " min");
                        assertEquals(v.stream().max(utf8).get(), s.get("stats_max_value"), column + " max");
                        assertEquals((long) (part.size() - v.size()), ((Number) s.get("stats_null_count")).longValue());
                    }
                    default -> {
                        // ts, d and flag: covered by the reads; their text form is reader-specific
                    }
                }
            }
        }
    }

    @Test
    void theSameRowsGiveTheSameBytes() throws Exception {
        // a retried run must rewrite its outputs byte for byte
        List<Row> rows = rows(5, 2_000, 100);
        Path a = write("1.parquet", table(CompressionCodecName.SNAPPY), rows, 700, 150);
        Path b = write("2.parquet", table(CompressionCodecName.SNAPPY), rows, 700, 150);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void aNullInARequiredColumnOrASkippedColumnIsRefused() throws Exception {
        Row bad = new Row(1, 2, null, null, null, null, 3, 4, true);
        IllegalArgumentException nulled = assertThrows(IllegalArgumentException.class,
                () -> write("bad.parquet", table(CompressionCodecName.SNAPPY), List.of(bad), 10, 10));
        assertTrue(nulled.getMessage().contains("kind"), nulled.getMessage());

        ParquetTable<Row> skipping = new ParquetTable<>(SCHEMA, (c, r) -> c.int64(0, r.row()),
                CompressionCodecName.SNAPPY, Set.of(), Set.of());
        // the first column set, the second not
        IllegalStateException skipped = assertThrows(IllegalStateException.class,
                () -> write("skip.parquet", skipping, rows(6, 3, 3), 10, 10));
        assertTrue(skipped.getMessage().contains("ts"), skipped.getMessage());
    }

    /** DuckDB's view of one column's chunks, one row per row group. */
    private static List<Map<String, Object>> chunks(Path file, String column) throws Exception {
        try (DuckDb db = new DuckDb()) {
            return db.query("SELECT * FROM parquet_metadata('" + file + "') WHERE path_in_schema = '" + column
                    + "' ORDER BY row_group_id");
        }
    }

    private static List<Row> readBack(Path file) throws Exception {
        try (DuckDb db = new DuckDb()) {
            return db.query("SELECT row, epoch_us(ts) AS ts, kind, text, note, pos, n, d, flag FROM read_parquet('"
                    + file + "') ORDER BY row").stream()
                    .map(m -> new Row((Long) m.get("row"), (Long) m.get("ts"), (String) m.get("kind"),
                            (String) m.get("text"), (String) m.get("note"), (Integer) m.get("pos"),
                            (Integer) m.get("n"), (Double) m.get("d"), (Boolean) m.get("flag")))
                    .collect(Collectors.toList());
        }
    }
}
