package io.sessionlake.parquet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;

/**
 * A UTF-8 string column. With a dictionary, each distinct value is encoded once per row group and rows
 * store small ids: the feed repeats its user agents, pages and referrers endlessly, and the parser hands
 * them out as shared instances, so finding a value's id is mostly an identity compare. A row group whose
 * values turn out too varied falls back to plain encoding, as parquet-mr does. Without a dictionary,
 * values are encoded as they arrive (see {@link PlainStrings}).
 */
final class StringColumn extends ColumnBuffer {
    /** Beyond this many bytes of distinct values a dictionary stops paying for itself. */
    private static final int MAX_DICTIONARY_BYTES = 1 << 20;

    private final boolean dictionary;
    private final Dictionary distinct = new Dictionary();
    private final PlainStrings plain = new PlainStrings();
    private String[] values = new String[1 << 12];

    StringColumn(ColumnDescriptor d, boolean dictionary, boolean statistics) {
        super(d, statistics);
        this.dictionary = dictionary;
    }

    void add(String v) {
        if (v == null && !optional) {
            throw new IllegalArgumentException("column " + name() + " is required but got null");
        }
        if (!dictionary) {
            plain.add(v);
            size++;
            return;
        }
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    @Override
    long variableBytes() {
        return plain.byteSize();
    }

    @Override
    void clear() {
        Arrays.fill(values, 0, dictionary ? size : 0, null);
        plain.clear();
        super.clear();
    }

    @Override
    void writeChunk(ChunkSink sink, int pageRows) throws IOException {
        if (dictionary) {
            boolean fits = distinct.build(values, size, MAX_DICTIONARY_BYTES);
            if (fits && distinct.size > 0) { // a column of nulls only needs no dictionary
                writeWithDictionary(sink, pageRows, distinct);
                return;
            }
        }
        writePlain(sink, pageRows);
    }

    private void writeWithDictionary(ChunkSink sink, int pageRows, Dictionary d) throws IOException {
        PageBytes out = sink.page;
        for (int k = 0; k < d.size; k++) {
            out.int32(d.bytes[k].length);
            out.bytes(d.bytes[k], 0, d.bytes[k].length);
        }
        sink.dictionaryPage(d.size);
        boolean[] isNull = optional ? nulls() : null;
        for (int from = 0; from < size; from += pageRows) {
            int to = Math.min(size, from + pageRows);
            int[] scratch = sink.ints(to - from);
            if (optional) {
                ColumnBuffer.definitionLevels(isNull, from, to, scratch, out);
            }
            int n = 0;
            int minRank = Integer.MAX_VALUE;
            int maxRank = -1;
            for (int i = from; i < to; i++) {
                int id = d.ids[i];
                if (id >= 0) {
                    scratch[n++] = id;
                    int rank = d.rank[id];
                    minRank = Math.min(minRank, rank);
                    maxRank = Math.max(maxRank, rank);
                }
            }
            HybridEncoder.dictionaryIds(scratch, 0, n, d.size, out);
            byte[] min = maxRank < 0 ? null : d.bytes[d.byRank[minRank]];
            byte[] max = maxRank < 0 ? null : d.bytes[d.byRank[maxRank]];
            sink.dataPage(to - from, pageStatistics(min, max, (to - from) - n), optional, Encoding.PLAIN_DICTIONARY);
        }
    }

    private void writePlain(ChunkSink sink, int pageRows) throws IOException {
        if (dictionary) { // the fallback: encode the values kept for the dictionary
            plain.clear();
            for (int i = 0; i < size; i++) {
                plain.add(values[i]);
            }
        }
        plain.writePages(sink, this, pageRows);
    }

    private boolean[] nulls() {
        boolean[] isNull = new boolean[size];
        for (int i = 0; i < size; i++) {
            isNull[i] = values[i] == null;
        }
        return isNull;
    }

    /**
     * The distinct values of a row group in first-seen order, each row's id, and their byte order. Built
     * again for every row group into the same arrays: they are large, and a run has many row groups.
     */
    static final class Dictionary {
        int size;
        byte[][] bytes;
        int[] ids = new int[0];
        int[] rank;
        int[] byRank;
        private String[] keys = new String[0];
        /** Per slot, the last other instance equal to its key that was looked up. */
        private String[] others = new String[0];
        private int[] slots = new int[0];
        /** Which slots hold a key, to empty just those for the next row group. */
        private int[] filled = new int[0];
        private int filledCount;
        private String[] distinct = new String[64];

        /** @return false when the values exceed the limits (the dictionary is then unusable) */
        boolean build(String[] values, int rows, int maxBytes) {
            size = 0;
            if (ids.length < rows) {
                ids = new int[rows];
            }
            int capacity = HybridEncoder.dictionaryTableSlots(rows);
            if (keys.length < capacity) {
                keys = new String[capacity];
                others = new String[capacity];
                slots = new int[capacity];
                filled = new int[Math.min(capacity, HybridEncoder.MAX_DICTIONARY_ENTRIES + 1)];
            } else { // empty the slots the last row group filled, not the whole table
                for (int k = 0; k < filledCount; k++) {
                    keys[filled[k]] = null;
                    others[filled[k]] = null;
                }
            }
            filledCount = 0;
            int mask = keys.length - 1;
            long totalBytes = 0;
            String last = null;
            int lastId = -1;
            for (int i = 0; i < rows; i++) {
                String v = values[i];
                if (v == null) {
                    ids[i] = -1;
                    continue;
                }
                if (v == last) { // rows of one customer repeat the same instance back to back
                    ids[i] = lastId;
                    continue;
                }
                int h = v.hashCode();
                int slot = (h ^ (h >>> 16)) & mask;
                while (keys[slot] != null && keys[slot] != v && others[slot] != v) {
                    if (keys[slot].equals(v)) {
                        // Another instance of the value (each parser thread pools its own): remembered,
                        // so that its later rows are found by identity too, without equals().
                        others[slot] = v;
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
                int id;
                if (keys[slot] == null) {
                    if (size == HybridEncoder.MAX_DICTIONARY_ENTRIES) {
                        return false;
                    }
                    totalBytes += 4 + v.length();
                    if (totalBytes > maxBytes) {
                        return false;
                    }
                    id = size++;
                    keys[slot] = v;
                    filled[filledCount++] = slot;
                    slots[slot] = id;
                    if (id == distinct.length) {
                        distinct = Arrays.copyOf(distinct, id * 2);
                    }
                    distinct[id] = v;
                } else {
                    id = slots[slot];
                }
                ids[i] = id;
                last = v;
                lastId = id;
            }
            bytes = new byte[size][];
            Integer[] order = new Integer[size];
            for (int k = 0; k < size; k++) {
                bytes[k] = distinct[k].getBytes(StandardCharsets.UTF_8);
                order[k] = k;
            }
            Arrays.fill(distinct, 0, size, null);
            // page statistics compare UTF-8 bytes unsigned, the order Parquet defines for strings
            Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(bytes[a], bytes[b]));
            byRank = new int[size];
            rank = new int[size];
            for (int r = 0; r < size; r++) {
                byRank[r] = order[r];
                rank[order[r]] = r;
            }
            return true;
        }
    }
}
