package io.sessionlake.parquet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.parquet.column.Encoding;

/**
 * The plain encoding of a row group's strings (a little-endian length, then the UTF-8 bytes), built as
 * values arrive, with each row's end offset: pages are then slices of it. Holding bytes rather than the
 * String objects keeps a row group of unique values (addresses, session ids) out of the collector's way.
 */
final class PlainStrings {
    private final PageBytes bytes = new PageBytes();
    private int[] ends = new int[1 << 12];
    private boolean[] isNull = new boolean[1 << 12];
    private int rows;
    // the previous value and where its encoding starts: a customer's rows repeat one address back to back
    private String last;
    private int lastAt = -1;

    void add(String v) {
        if (rows == ends.length) {
            ends = Arrays.copyOf(ends, rows * 2);
            isNull = Arrays.copyOf(isNull, rows * 2);
        }
        if (v == null) {
            isNull[rows] = true;
        } else {
            isNull[rows] = false;
            if (v != last || !appendAgain()) {
                appendNew(v);
            }
        }
        ends[rows++] = bytes.size();
    }

    int rows() {
        return rows;
    }

    long byteSize() {
        return bytes.size();
    }

    void clear() {
        bytes.reset();
        rows = 0;
        lastAt = -1;
    }

    /** The previous value once more: its encoded bytes are copied from where they were written. */
    private boolean appendAgain() {
        if (lastAt < 0) {
            return false;
        }
        int len = bytes.size() - lastAt;
        bytes.ensure(len);
        bytes.bytes(bytes.array(), lastAt, len);
        lastAt = bytes.size() - len;
        return true;
    }

    /** Ids, addresses and queries are ASCII: written char by char without an intermediate array. */
    private void appendNew(String v) {
        int at = bytes.size();
        int n = v.length();
        bytes.ensure(4 + n);
        byte[] a = bytes.array();
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            char c = v.charAt(i);
            ascii = c < 0x80;
            a[at + 4 + i] = (byte) c;
        }
        if (ascii) {
            bytes.int32(n);
            bytes.skip(n);
        } else {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            bytes.int32(b.length);
            bytes.bytes(b, 0, b.length);
        }
        last = v;
        lastAt = at;
    }

    /** Writes rows [0, rows) as plain-encoded pages of at most {@code pageRows} rows. */
    void writePages(ChunkSink sink, ColumnBuffer column, int pageRows) throws IOException {
        PageBytes out = sink.page;
        byte[] all = bytes.array();
        for (int from = 0; from < rows; from += pageRows) {
            int to = Math.min(rows, from + pageRows);
            if (column.optional) {
                ColumnBuffer.definitionLevels(isNull, from, to, sink.ints(to - from), out);
            }
            int start = from == 0 ? 0 : ends[from - 1];
            int end = ends[to - 1];
            out.bytes(all, start, end - start);
            int nulls = 0;
            for (int i = from; i < to; i++) {
                nulls += isNull[i] ? 1 : 0;
            }
            byte[] min = null;
            byte[] max = null;
            if (column.statistics && nulls < to - from) {
                int[] range = minMax(all, start, end);
                min = Arrays.copyOfRange(all, range[0] + 4, range[0] + 4 + lengthAt(all, range[0]));
                max = Arrays.copyOfRange(all, range[1] + 4, range[1] + 4 + lengthAt(all, range[1]));
            }
            sink.dataPage(to - from, column.pageStatistics(min, max, nulls), column.optional, Encoding.PLAIN);
        }
    }

    /** Offsets of the smallest and largest value (unsigned bytes, Parquet's order for strings) in [start, end). */
    private static int[] minMax(byte[] b, int start, int end) {
        int min = start;
        int max = start;
        for (int at = start + 4 + lengthAt(b, start); at < end; at += 4 + lengthAt(b, at)) {
            if (compare(b, at, min) < 0) {
                min = at;
            }
            if (compare(b, at, max) > 0) {
                max = at;
            }
        }
        return new int[] {min, max};
    }

    private static int compare(byte[] b, int x, int y) {
        return Arrays.compareUnsigned(b, x + 4, x + 4 + lengthAt(b, x), b, y + 4, y + 4 + lengthAt(b, y));
    }

    private static int lengthAt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
