package io.sessionlake.parquet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.parquet.FilterPushdownTest.Feed;
import io.sessionlake.testing.ColumnValues;
import io.sessionlake.testing.ParquetFeeds;
import io.sessionlake.testing.ParquetJavaReader;
import io.sessionlake.testing.ParquetJavaReader.Chunk;
import io.sessionlake.testing.ParquetJavaReader.Column;
import io.sessionlake.testing.ParquetJavaReader.FileContent;
import io.sessionlake.testing.ParquetJavaReader.RowGroup;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.internal.column.columnindex.BoundaryOrder;
import org.apache.parquet.internal.column.columnindex.ColumnIndex;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The metadata a query engine trusts to skip data, checked against the data itself as parquet-java reads it:
 * footer statistics of every column chunk, and the column index and offset index of every page. A
 * statistic or index that is present must be true of the values; the columns analysts filter on must
 * carry min/max. Holds for any correct writer (the control feed is written by parquet-java itself).
 */
class StatisticsAndPageIndexTest {
    /**
     * Columns an engine can skip row groups and pages on, so they must carry min/max: ids, the customer,
     * times, the event type, the referrer's host, the counts, the session number and the revision.
     */
    static final Map<String, Set<String>> COLUMNS_WITH_MIN_MAX = Map.of(
            "sessions", Set.of("session_id", "customer_id", "session_start", "session_end", "event_count",
                    "page_view_count", "search_count", "add_to_cart_count", "remove_from_cart_count", "order_count",
                    "referrer_host", "session_number", "revision"),
            "clean_events", Set.of("event_id", "event_type", "customer_id", "event_time"));


    @ParameterizedTest
    @EnumSource(Feed.class)
    void columnsEnginesSkipOnCarryMinAndMaxInEveryChunk(Feed feed) {
        assertNoProblem(feed, (table, file, group, column, values, problems) -> {
            Statistics<?> stats = group.chunks().get(column.index()).metadata().getStatistics();
            int nonNull = nonNullCount(values, group.firstRow(), group.firstRow() + group.rowCount());
            if (COLUMNS_WITH_MIN_MAX.get(table).contains(column.name()) && nonNull > 0) {
                if (stats == null || !stats.hasNonNullValue()) {
                    problems.add(column.name() + ": no min/max in the footer for a chunk of " + nonNull
                            + " non-null values");
                }
                if (stats == null || !stats.isNumNullsSet()) {
                    problems.add(column.name() + ": no null count in the footer");
                }
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void footerStatisticsAreTrueOfEveryChunk(Feed feed) {
        assertNoProblem(feed, (table, file, group, column, values, problems) -> {
            Statistics<?> stats = group.chunks().get(column.index()).metadata().getStatistics();
            if (stats == null) {
                return;
            }
            int from = (int) group.firstRow();
            int to = (int) (group.firstRow() + group.rowCount());
            if (stats.isNumNullsSet() && stats.getNumNulls() != to - from - nonNullCount(values, from, to)) {
                problems.add(column.name() + ": footer null count " + stats.getNumNulls() + ", chunk has "
                        + (to - from - nonNullCount(values, from, to)) + " nulls");
            }
            if (stats.hasNonNullValue()) {
                String out = outOfBounds(values, from, to, stats.genericGetMin(), stats.genericGetMax());
                if (out != null) {
                    problems.add(column.name() + ": footer min/max " + out);
                }
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void columnIndexAgreesWithEveryPage(Feed feed) {
        assertNoProblem(feed, (table, file, group, column, values, problems) -> {
            Chunk chunk = group.chunks().get(column.index());
            ColumnIndex index = chunk.columnIndex();
            if (index == null) {
                return;
            }
            OffsetIndex offsets = chunk.offsetIndex();
            if (offsets == null || offsets.getPageCount() != index.getNullPages().size()) {
                problems.add(column.name() + ": column index of " + index.getNullPages().size()
                        + " pages, offset index of " + (offsets == null ? "none" : offsets.getPageCount()));
                return;
            }
            long[] starts = group.pageStarts(column.index());
            Object previousMin = null;
            Object previousMax = null;
            for (int p = 0; p < starts.length; p++) {
                int from = (int) starts[p];
                int to = (int) (p + 1 < starts.length ? starts[p + 1] : group.firstRow() + group.rowCount());
                int nonNull = nonNullCount(values, from, to);
                String page = column.name() + " page " + p + " (rows " + from + ".." + (to - 1) + ", " + nonNull
                        + " non-null): ";
                boolean nullPage = index.getNullPages().get(p);
                if (nullPage != (nonNull == 0)) {
                    problems.add(page + "null_pages says " + nullPage);
                }
                List<Long> nullCounts = index.getNullCounts();
                if (nullCounts != null && nullCounts.get(p) != to - from - nonNull) {
                    problems.add(page + "null_counts says " + nullCounts.get(p) + ", the page has "
                            + (to - from - nonNull) + " nulls");
                }
                if (nullPage) {
                    continue;
                }
                Object min = decode(column, index.getMinValues().get(p));
                Object max = decode(column, index.getMaxValues().get(p));
                String out = outOfBounds(values, from, to, min, max);
                if (out != null) {
                    problems.add(page + "column index min/max " + out);
                }
                BoundaryOrder order = index.getBoundaryOrder();
                if (previousMin != null && (order == BoundaryOrder.ASCENDING
                        && (less(min, previousMin) || less(max, previousMax))
                        || order == BoundaryOrder.DESCENDING && (less(previousMin, min) || less(previousMax, max)))) {
                    problems.add(page + "boundary order " + order + " broken by min " + show(min) + ", max " + show(max));
                }
                previousMin = min;
                previousMax = max;
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void offsetIndexPlacesEveryPageInsideItsChunk(Feed feed) {
        assertNoProblem(feed, (table, file, group, column, values, problems) -> {
            Chunk chunk = group.chunks().get(column.index());
            OffsetIndex offsets = chunk.offsetIndex();
            if (offsets == null) {
                return;
            }
            long chunkStart = chunk.metadata().getStartingPos();
            long chunkEnd = chunkStart + chunk.metadata().getTotalSize();
            long previousRow = -1;
            long previousEnd = chunkStart;
            for (int p = 0; p < offsets.getPageCount(); p++) {
                long first = offsets.getFirstRowIndex(p);
                if (p == 0 ? first != 0 : first <= previousRow || first >= group.rowCount()) {
                    problems.add(column.name() + " page " + p + ": first row index " + first + " after " + previousRow
                            + " in a row group of " + group.rowCount() + " rows");
                }
                long offset = offsets.getOffset(p);
                long end = offset + offsets.getCompressedPageSize(p);
                if (offset < previousEnd || end > chunkEnd) {
                    problems.add(column.name() + " page " + p + ": bytes " + offset + ".." + end
                            + " outside the chunk's " + chunkStart + ".." + chunkEnd + " or overlapping the page before");
                }
                previousRow = first;
                previousEnd = end;
            }
        });
    }

    /** One check of one column chunk; adds what is wrong to {@code problems}. */
    private interface ChunkCheck {
        void check(String table, FileContent file, RowGroup group, Column column, ColumnValues values,
                List<String> problems);
    }

    private static void assertNoProblem(Feed feed, ChunkCheck check) {
        List<String> problems = new ArrayList<>();
        int chunks = 0;
        for (String table : List.of("sessions", "clean_events")) {
            List<Path> files = ParquetFeeds.parquetFiles(feed.bucket(), table);
            assertTrue(!files.isEmpty(), "the pipeline wrote " + table + " files");
            for (Path file : files) {
                FileContent content = ParquetJavaReader.content(file);
                for (RowGroup group : content.rowGroups()) {
                    for (Column column : content.columns()) {
                        chunks++;
                        List<String> found = new ArrayList<>();
                        check.check(table, content, group, column, ColumnValues.of(content, column), found);
                        String where = feed.bucket().relativize(file) + " row group "
                                + content.rowGroups().indexOf(group) + " ";
                        found.forEach(f -> problems.add(where + f));
                    }
                }
            }
        }
        assertTrue(chunks > 0, "some column chunks were checked");
        assertTrue(problems.isEmpty(), problems.size() + " problems in " + chunks + " column chunks:\n"
                + String.join("\n", problems));
    }

    private static int nonNullCount(ColumnValues values, long from, long to) {
        int n = 0;
        for (int row = (int) from; row < to; row++) {
            if (values.value(row) != null) {
                n++;
            }
        }
        return n;
    }

    /** Null when min <= every non-null value in rows [from, to) <= max, else the first value outside. */
    private static String outOfBounds(ColumnValues values, int from, int to, Object min, Object max) {
        for (int row = from; row < to; row++) {
            Object v = values.value(row);
            if (v != null && (less(v, min) || less(max, v))) {
                return show(min) + ".." + show(max) + " excludes row " + row + "'s " + show(v);
            }
        }
        return null;
    }

    private static boolean less(Object a, Object b) {
        return ParquetJavaReader.ORDER.compare(a, b) < 0;
    }

    private static Object decode(Column column, ByteBuffer bytes) {
        return ParquetJavaReader.decode(column.type(), bytes);
    }

    private static String show(Object value) {
        return ParquetJavaReader.show(value);
    }
}
