package io.sessionlake.testing;

import io.sessionlake.testing.ParquetJavaReader.Column;
import io.sessionlake.testing.ParquetJavaReader.FileContent;
import io.sessionlake.testing.ParquetJavaReader.RowGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.parquet.io.api.Binary;

/**
 * One column of a file as a full read found it, and the values a test filters on: the first, last and
 * middle ones, one that occurs in a single page, the bounds of one page, one that is absent.
 */
public final class ColumnValues {
    /** A page of this column: rows [from, to) of the file, in row group {@code rowGroup}. */
    public record Page(int rowGroup, int number, int from, int to) {
    }

    private final FileContent content;
    private final Column column;
    private final Object[] values;
    private final List<Object> distinct;
    private final List<Page> pages;

    private static final Map<String, ColumnValues> CACHE = new ConcurrentHashMap<>();

    /** The values of {@code column}, computed once per file and column for all the tests of a JVM. */
    public static ColumnValues of(FileContent content, Column column) {
        return CACHE.computeIfAbsent(content.path() + "#" + column.name(), k -> new ColumnValues(content, column));
    }

    private ColumnValues(FileContent content, Column column) {
        this.content = content;
        this.column = column;
        this.values = content.rows().stream().map(r -> r.values()[column.index()]).toArray();
        TreeSet<Object> sorted = new TreeSet<>(ParquetJavaReader.ORDER);
        Arrays.stream(values).filter(Objects::nonNull).forEach(sorted::add);
        this.distinct = List.copyOf(sorted);
        this.pages = pagesOf(content, column);
    }

    private static List<Page> pagesOf(FileContent content, Column column) {
        List<Page> pages = new ArrayList<>();
        for (int g = 0; g < content.rowGroups().size(); g++) {
            RowGroup group = content.rowGroups().get(g);
            long[] starts = group.pageStarts(column.index());
            for (int p = 0; p < starts.length; p++) {
                long end = p + 1 < starts.length ? starts[p + 1] : group.firstRow() + group.rowCount();
                pages.add(new Page(g, p, (int) starts[p], (int) end));
            }
        }
        return pages;
    }

    public Column column() {
        return column;
    }

    public FileContent content() {
        return content;
    }

    /** The value of each row, in file order; null for a null. */
    public Object value(int row) {
        return values[row];
    }

    /** The distinct non-null values, in Parquet's order for the column's type. */
    public List<Object> distinct() {
        return distinct;
    }

    /** The pages of this column, over all row groups, as the offset indexes place them. */
    public List<Page> pages() {
        return pages;
    }

    public Object firstNonNull() {
        return Arrays.stream(values).filter(Objects::nonNull).findFirst().orElse(null);
    }

    public Object lastNonNull() {
        for (int i = values.length - 1; i >= 0; i--) {
            if (values[i] != null) {
                return values[i];
            }
        }
        return null;
    }

    /** The value of the middle row, or of the nearest non-null row after it. */
    public Object middle() {
        for (int i = values.length / 2; i < values.length; i++) {
            if (values[i] != null) {
                return values[i];
            }
        }
        return lastNonNull();
    }

    /**
     * A value all of whose rows lie in one page, chosen in the middle page of the column when it has several:
     * the page that statistics of the whole chunk cannot single out. Null when every value spans pages.
     */
    public Object valueInOnePageOnly() {
        Map<Object, Integer> pageOf = new HashMap<>();
        Map<Object, Boolean> spans = new HashMap<>();
        for (int p = 0; p < pages.size(); p++) {
            for (int row = pages.get(p).from(); row < pages.get(p).to(); row++) {
                Object v = values[row];
                if (v != null) {
                    Integer first = pageOf.putIfAbsent(v, p);
                    if (first != null && first != p) {
                        spans.put(v, true);
                    }
                }
            }
        }
        Page middle = pages.get(pages.size() / 2);
        for (int row = middle.from(); row < middle.to(); row++) {
            Object v = values[row];
            if (v != null && !spans.containsKey(v)) {
                return v;
            }
        }
        return pageOf.keySet().stream().filter(v -> !spans.containsKey(v)).findFirst().orElse(null);
    }

    /** The least and greatest non-null values of the middle page, or null when that page holds only nulls. */
    public Object[] boundsOfAMiddlePage() {
        Page middle = pages.get(pages.size() / 2);
        Object min = null;
        Object max = null;
        for (int row = middle.from(); row < middle.to(); row++) {
            Object v = values[row];
            if (v != null) {
                min = min == null || ParquetJavaReader.ORDER.compare(v, min) < 0 ? v : min;
                max = max == null || ParquetJavaReader.ORDER.compare(v, max) > 0 ? v : max;
            }
        }
        return min == null ? null : new Object[] {min, max};
    }

    /**
     * A value of the column's type that no row holds, between the least and greatest values when the type
     * allows (so statistics of the whole chunk cannot rule it out); null for a boolean column holding both.
     */
    public Object absentValue() {
        if (distinct.isEmpty()) {
            return switch (column.type()) {
                case INT32 -> 0;
                case INT64 -> 0L;
                case DOUBLE -> 0.0;
                case BOOLEAN -> false;
                default -> Binary.fromString("absent");
            };
        }
        Object low = distinct.get((distinct.size() - 1) / 2);
        Object high = distinct.size() > 1 ? distinct.get((distinct.size() - 1) / 2 + 1) : null;
        return switch (column.type()) {
            case INT32 -> {
                Long gap = gapAfter(distinct.stream().mapToLong(v -> (Integer) v).toArray());
                yield gap == null ? null : (Object) gap.intValue();
            }
            case INT64 -> gapAfter(distinct.stream().mapToLong(v -> (Long) v).toArray());
            case DOUBLE -> high == null ? (Double) low + 1 : ((Double) low + (Double) high) / 2;
            case BOOLEAN -> distinct.size() == 2 ? null : !(Boolean) low;
            default -> {
                byte[] b = ((Binary) low).getBytes();
                byte[] after = Arrays.copyOf(b, b.length + 1); // sorts right after low, before anything else
                yield Binary.fromConstantByteArray(after);
            }
        };
    }

    /** The first number missing between the values (sorted, distinct), or one past the greatest. */
    private static Long gapAfter(long[] sorted) {
        int middle = (sorted.length - 1) / 2;
        for (int i = middle; i + 1 < sorted.length; i++) {
            if (sorted[i + 1] - sorted[i] > 1) {
                return sorted[i] + 1;
            }
        }
        long last = sorted[sorted.length - 1];
        return last == Integer.MAX_VALUE || last == Long.MAX_VALUE ? null : last + 1;
    }
}
