package io.sessionlake.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.run.RunReport;
import io.sessionlake.testing.ColumnValues;
import io.sessionlake.testing.ParquetFeeds;
import io.sessionlake.testing.ParquetJavaReader;
import io.sessionlake.testing.ParquetJavaReader.Column;
import io.sessionlake.testing.ParquetJavaReader.FileContent;
import io.sessionlake.testing.ParquetJavaReader.Row;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pipeline's Parquet files read by parquet-java (the reader under Spark, Hive, Flink and Iceberg) with
 * filters pushed down: row-group statistics, dictionaries, column indexes and record filtering all on, as by
 * default. For every column of every file of both tables, a filtered read must return every row that a full
 * read finds matching the same predicate evaluated in Java, with the same values. Pages that merely might
 * match may come back too; a matching row that does not is a wrong answer given without an error.
 */
class FilterPushdownTest {
    enum Feed {
        GOLDEN, GENERATED,
        /**
         * The control: the generated feed's rows in files written by parquet-java itself (many pages and row
         * groups), showing the checks ask nothing a correct writer does not give. Ranges, null checks and absent
         * values passed on it too; only the equalities run on it in the build, to keep the test fast.
         */
        GENERATED_REWRITTEN_BY_PARQUET_JAVA;

        Path bucket() {
            return switch (this) {
                case GOLDEN -> ParquetFeeds.golden();
                case GENERATED -> ParquetFeeds.generated();
                case GENERATED_REWRITTEN_BY_PARQUET_JAVA -> ParquetFeeds.rewrittenByParquetJava();
            };
        }
    }


    /**
     * A predicate pushed down to parquet-java, and the same predicate on one column's value in Java. The
     * filtered read projects that column only, or every column when {@code allColumns}: then each row must
     * also come back whole, with every other column's value from the same row (the other columns' pages are
     * picked through their own offset indexes).
     */
    record Case(Column column, String description, FilterPredicate filter, Predicate<Object> holds, boolean allColumns) {
        Case(Column column, String description, FilterPredicate filter, Predicate<Object> holds) {
            this(column, description, filter, holds, false);
        }

        Case whole() {
            return new Case(column, description + " {all columns read}", filter, holds, true);
        }
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void equalityOnValuesTakenFromTheFileReturnsEveryMatchingRow(Feed feed) {
        assertEveryFilteredReadIsRight(feed, FilterPushdownTest::equalities);
    }

    @ParameterizedTest
    @EnumSource(value = Feed.class, names = {"GOLDEN", "GENERATED"})
    void rangesOnOrderedColumnsReturnEveryMatchingRow(Feed feed) {
        assertEveryFilteredReadIsRight(feed, FilterPushdownTest::ranges);
    }

    @ParameterizedTest
    @EnumSource(value = Feed.class, names = {"GOLDEN", "GENERATED"})
    void isNullAndIsNotNullOnOptionalColumnsReturnEveryMatchingRow(Feed feed) {
        assertEveryFilteredReadIsRight(feed, FilterPushdownTest::nullChecks);
    }

    @ParameterizedTest
    @EnumSource(value = Feed.class, names = {"GOLDEN", "GENERATED"})
    void valuesAbsentFromTheFileMatchNothing(Feed feed) {
        assertEveryFilteredReadIsRight(feed, FilterPushdownTest::absentValues);
    }

    @Test
    void generatedFeedHoldsTheEdgesReadersMustSurvive() {
        Path bucket = Feed.GENERATED.bucket();
        List<RunReport> reports = ParquetFeeds.reports(bucket);
        assertTrue(reports.stream().mapToLong(r -> r.counts().duplicate()).sum() > 0, "duplicates delivered");
        assertTrue(reports.stream().mapToLong(r -> r.counts().late()).sum() > 0, "late events delivered");
        List<String> missing = new ArrayList<>();
        boolean tombstone = false;
        boolean severalPages = false;
        for (String table : List.of("sessions", "clean_events")) {
            Map<String, int[]> nullsAndValues = new LinkedHashMap<>();
            boolean longText = false;
            boolean nonAscii = false;
            for (Path file : ParquetFeeds.parquetFiles(bucket, table)) {
                FileContent content = ParquetJavaReader.content(file);
                severalPages |= content.rowGroups().get(0).pageStarts(0).length > 1;
                for (Column c : content.columns()) {
                    int[] counts = nullsAndValues.computeIfAbsent(c.name(), k -> new int[2]);
                    for (Row row : content.rows()) {
                        Object v = row.values()[c.index()];
                        counts[v == null ? 0 : 1]++;
                        if (v instanceof Binary b) {
                            String text = b.toStringUsingUTF8();
                            longText |= text.length() >= 10_000;
                            nonAscii |= text.chars().anyMatch(ch -> ch > 127);
                        }
                        tombstone |= c.name().equals("is_deleted") && Boolean.TRUE.equals(v);
                    }
                }
            }
            for (Column c : ParquetJavaReader.content(ParquetFeeds.parquetFiles(bucket, table).get(0)).columns()) {
                int[] counts = nullsAndValues.get(c.name());
                if (c.optional() && (counts[0] == 0 || counts[1] == 0)) {
                    missing.add(table + "." + c.name() + " has " + counts[0] + " nulls and " + counts[1] + " values");
                }
            }
            if (!longText || !nonAscii) {
                missing.add(table + ": long text " + longText + ", non-ASCII text " + nonAscii);
            }
        }
        assertTrue(tombstone, "a merged session left a tombstone");
        assertTrue(severalPages, "a file spans several pages");
        assertEquals(List.of(), missing);
    }

    private static void assertEveryFilteredReadIsRight(Feed feed, Function<ColumnValues, List<Case>> cases) {
        List<String> wrong = new ArrayList<>();
        int reads = 0;
        for (String table : List.of("sessions", "clean_events")) {
            List<Path> files = ParquetFeeds.parquetFiles(feed.bucket(), table);
            assertTrue(!files.isEmpty(), "the pipeline wrote " + table + " files");
            for (Path file : files) {
                FileContent content = ParquetJavaReader.content(file);
                for (Column column : content.columns()) {
                    ColumnValues values = ColumnValues.of(content, column);
                    for (Case c : cases.apply(values)) {
                        reads++;
                        String problem = check(content, c);
                        if (problem != null) {
                            wrong.add(feed.bucket().relativize(file) + " " + c.description() + ": " + problem);
                        }
                    }
                }
            }
        }
        assertTrue(reads > 0, "some filtered reads were made");
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + reads + " filtered reads are wrong:\n"
                + String.join("\n", wrong));
    }

    /** Null when the filtered read is right, else what went wrong, in counts. */
    private static String check(FileContent content, Case c) {
        List<Row> returned;
        try {
            returned = ParquetJavaReader.readFiltered(content, c.filter(),
                    c.allColumns() ? content.columns() : List.of(c.column()));
        } catch (IOException | RuntimeException e) {
            return "the filtered read failed: " + e;
        }
        int column = c.column().index();
        int rows = content.rows().size();
        BitSet expected = new BitSet(rows);
        for (int i = 0; i < rows; i++) {
            if (c.holds().test(content.rows().get(i).values()[column])) {
                expected.set(i);
            }
        }
        BitSet matching = new BitSet(rows);
        int misplaced = 0;
        for (Row row : returned) {
            if (row.index() < 0 || row.index() >= rows
                    || !sameValues(row, content.rows().get((int) row.index()), c.allColumns() ? content.columns() : List.of(c.column()))) {
                misplaced++;
            } else if (c.holds().test(row.values()[column])) {
                matching.set((int) row.index());
            }
        }
        BitSet missing = (BitSet) expected.clone();
        missing.andNot(matching);
        if (missing.isEmpty() && misplaced == 0) {
            return null;
        }
        return "a full read finds " + expected.cardinality() + " matching rows, the filtered read returns "
                + matching.cardinality() + " of them (" + returned.size() + " rows in all"
                + (misplaced > 0 ? ", " + misplaced + " differing from the full read's row at their index" : "")
                + "), first missing row " + (missing.isEmpty() ? "none" : missing.nextSetBit(0));
    }

    private static boolean sameValues(Row a, Row b, List<Column> columns) {
        for (Column c : columns) {
            if (!Objects.equals(a.values()[c.index()], b.values()[c.index()])) {
                return false;
            }
        }
        return true;
    }

    private static List<Case> equalities(ColumnValues v) {
        List<Case> cases = new ArrayList<>();
        if (v.distinct().isEmpty()) {
            return cases;
        }
        Map<Object, String> picks = new LinkedHashMap<>();
        picks.putIfAbsent(v.firstNonNull(), "first value");
        picks.putIfAbsent(v.lastNonNull(), "last value");
        picks.putIfAbsent(v.middle(), "value of the middle row");
        Object inOnePage = v.valueInOnePageOnly();
        picks.forEach((value, what) -> cases.add(eq(v.column(), value, what)));
        if (inOnePage != null) {
            // the most selective pick: the one whose read skips most pages, so it also checks the rows come back whole
            cases.add(eq(v.column(), inOnePage, "value found in one page only").whole());
        }
        Object middle = v.middle();
        cases.add(new Case(v.column(), "notEq(" + v.column().name() + ", " + show(middle) + ") [value of the middle row]",
                notEq(v.column(), middle), x -> !Objects.equals(x, middle)));
        Set<Object> ends = new HashSet<>(List.of(v.firstNonNull(), v.lastNonNull()));
        cases.add(new Case(v.column(), "in(" + v.column().name() + ", " + ends.stream().map(FilterPushdownTest::show).toList()
                + ") [first and last values]", in(v.column(), ends), ends::contains));
        return cases;
    }

    private static List<Case> ranges(ColumnValues v) {
        List<Case> cases = new ArrayList<>();
        if (v.distinct().isEmpty() || v.column().type() == org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BOOLEAN) {
            return cases;
        }
        List<Object> d = v.distinct();
        Object min = d.get(0);
        Object max = d.get(d.size() - 1);
        Object q1 = d.get(d.size() / 4);
        Object q3 = d.get(d.size() * 3 / 4);
        cases.add(between(v.column(), q1, q3, "[quartiles of the distinct values]"));
        Object[] page = v.boundsOfAMiddlePage();
        if (page != null) {
            cases.add(between(v.column(), page[0], page[1], "[bounds of one page's values]").whole());
        }
        String name = v.column().name();
        cases.add(new Case(v.column(), "ltEq(" + name + ", " + show(min) + ") [the minimum]", ltEq(v.column(), min),
                x -> x != null && ParquetJavaReader.ORDER.compare(x, min) <= 0));
        cases.add(new Case(v.column(), "gtEq(" + name + ", " + show(max) + ") [the maximum]", gtEq(v.column(), max),
                x -> x != null && ParquetJavaReader.ORDER.compare(x, max) >= 0));
        cases.add(new Case(v.column(), "lt(" + name + ", " + show(q3) + ") [third quartile]", lt(v.column(), q3),
                x -> x != null && ParquetJavaReader.ORDER.compare(x, q3) < 0));
        return cases;
    }

    private static List<Case> nullChecks(ColumnValues v) {
        if (!v.column().optional()) {
            return List.of();
        }
        String name = v.column().name();
        return List.of(
                new Case(v.column(), "eq(" + name + ", null) [IS NULL]", eq(v.column(), null), Objects::isNull),
                new Case(v.column(), "notEq(" + name + ", null) [IS NOT NULL]", notEq(v.column(), null), Objects::nonNull));
    }

    private static List<Case> absentValues(ColumnValues v) {
        List<Case> cases = new ArrayList<>();
        Object absent = v.absentValue();
        if (absent != null) {
            cases.add(eq(v.column(), absent, "absent from the file"));
        }
        if (!v.distinct().isEmpty() && v.column().type() != org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BOOLEAN) {
            Object max = v.distinct().get(v.distinct().size() - 1);
            cases.add(new Case(v.column(), "gt(" + v.column().name() + ", " + show(max) + ") [above the maximum]",
                    gt(v.column(), max), x -> x != null && ParquetJavaReader.ORDER.compare(x, max) > 0));
        }
        return cases;
    }

    private static Case eq(Column c, Object value, String what) {
        return new Case(c, "eq(" + c.name() + ", " + show(value) + ") [" + what + "]", eq(c, value),
                x -> x != null && x.equals(value));
    }

    private static Case between(Column c, Object low, Object high, String what) {
        return new Case(c, "gt(" + c.name() + ", " + show(low) + ") and ltEq(" + c.name() + ", " + show(high) + ") " + what,
                FilterApi.and(gt(c, low), ltEq(c, high)),
                x -> x != null && ParquetJavaReader.ORDER.compare(x, low) > 0 && ParquetJavaReader.ORDER.compare(x, high) <= 0);
    }

    private static String show(Object value) {
        return ParquetJavaReader.show(value);
    }

    // FilterApi is typed per column kind; these pick the kind from the column's physical type.

    private static FilterPredicate eq(Column c, Object v) {
        return switch (c.type()) {
            case INT32 -> FilterApi.eq(FilterApi.intColumn(c.name()), (Integer) v);
            case INT64 -> FilterApi.eq(FilterApi.longColumn(c.name()), (Long) v);
            case DOUBLE -> FilterApi.eq(FilterApi.doubleColumn(c.name()), (Double) v);
            case BOOLEAN -> FilterApi.eq(FilterApi.booleanColumn(c.name()), (Boolean) v);
            case BINARY -> FilterApi.eq(FilterApi.binaryColumn(c.name()), (Binary) v);
            default -> throw new IllegalArgumentException(c.toString());
        };
    }

    private static FilterPredicate notEq(Column c, Object v) {
        return switch (c.type()) {
            case INT32 -> FilterApi.notEq(FilterApi.intColumn(c.name()), (Integer) v);
            case INT64 -> FilterApi.notEq(FilterApi.longColumn(c.name()), (Long) v);
            case DOUBLE -> FilterApi.notEq(FilterApi.doubleColumn(c.name()), (Double) v);
            case BOOLEAN -> FilterApi.notEq(FilterApi.booleanColumn(c.name()), (Boolean) v);
            case BINARY -> FilterApi.notEq(FilterApi.binaryColumn(c.name()), (Binary) v);
            default -> throw new IllegalArgumentException(c.toString());
        };
    }

    @SuppressWarnings("unchecked")
    private static FilterPredicate in(Column c, Set<Object> values) {
        Set<?> set = new HashSet<>(values);
        return switch (c.type()) {
            case INT32 -> FilterApi.in(FilterApi.intColumn(c.name()), (Set<Integer>) set);
            case INT64 -> FilterApi.in(FilterApi.longColumn(c.name()), (Set<Long>) set);
            case DOUBLE -> FilterApi.in(FilterApi.doubleColumn(c.name()), (Set<Double>) set);
            case BOOLEAN -> FilterApi.in(FilterApi.booleanColumn(c.name()), (Set<Boolean>) set);
            case BINARY -> FilterApi.in(FilterApi.binaryColumn(c.name()), (Set<Binary>) set);
            default -> throw new IllegalArgumentException(c.toString());
        };
    }

    private static FilterPredicate gt(Column c, Object v) {
        return switch (c.type()) {
            case INT32 -> FilterApi.gt(FilterApi.intColumn(c.name()), (Integer) v);
            case INT64 -> FilterApi.gt(FilterApi.longColumn(c.name()), (Long) v);
            case DOUBLE -> FilterApi.gt(FilterApi.doubleColumn(c.name()), (Double) v);
            case BINARY -> FilterApi.gt(FilterApi.binaryColumn(c.name()), (Binary) v);
            default -> throw new IllegalArgumentException(c.toString());
        };
    }

    private static FilterPredicate gtEq(Column c, Object v) {
        return switch (c.type()) {
            case INT32 -> FilterApi.gtEq(FilterApi.intColumn(c.name()), (Integer) v);
            case INT64 -> FilterApi.gtEq(FilterApi.longColumn(c.name()), (Long) v);
            case DOUBLE -> FilterApi.gtEq(FilterApi.doubleColumn(c.name()), (Double) v);
            case BINARY -> FilterApi.gtEq(FilterApi.binaryColumn(c.name()), (Binary) v);
            default -> throw new IllegalArgumentException(c.toString());
        };
    }

    private static FilterPredicate lt(Column c, Object v) {
        return switch (c.type()) {
            case INT32 -> FilterApi.lt(FilterApi.intColumn(c.name()), (Integer) v);
            case INT64 -> FilterApi.lt(FilterApi.longColumn(c.name()), (Long) v);
            case DOUBLE -> FilterApi.lt(FilterApi.doubleColumn(c.name()), (Double) v);
            case BINARY -> FilterApi.lt(FilterApi.binaryColumn(c.name()), (Binary) v);
            default -> throw new IllegalArgumentException(c.toString());
        };
    }

    private static FilterPredicate ltEq(Column c, Object v) {
        return switch (c.type()) {
            case INT32 -> FilterApi.ltEq(FilterApi.intColumn(c.name()), (Integer) v);
            case INT64 -> FilterApi.ltEq(FilterApi.longColumn(c.name()), (Long) v);
            case DOUBLE -> FilterApi.ltEq(FilterApi.doubleColumn(c.name()), (Double) v);
            case BINARY -> FilterApi.ltEq(FilterApi.binaryColumn(c.name()), (Binary) v);
            default -> throw new IllegalArgumentException(c.toString());
        };
    }
}
