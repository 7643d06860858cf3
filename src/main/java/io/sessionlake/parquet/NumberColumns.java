package io.sessionlake.parquet;

import java.io.IOException;
import java.util.Arrays;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;

/**
 * The fixed-width columns, with min/max computed while encoding: integers dictionary-encoded when their
 * values repeat (as parquet-mr's v1 writer does, so every reader takes them), otherwise plain.
 */
final class NumberColumns {
    private NumberColumns() {
    }

    /** 64-bit values held as longs (a double by its bits), plain-encoded; the order of the type bounds a page. */
    abstract static class Fixed64 extends ColumnBuffer {
        long[] values = new long[1 << 12];
        /** Null for a column that is always plain. */
        private final NumberDictionary dictionary;

        Fixed64(ColumnDescriptor d, boolean statistics, boolean dictionary) {
            super(d, statistics);
            this.dictionary = dictionary ? new NumberDictionary() : null;
        }

        final void push(long bits) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = bits;
        }

        @Override
        final void writeChunk(ChunkSink sink, int pageRows) throws IOException {
            PageBytes out = sink.page;
            boolean dictionaryEncoded = dictionary != null && size > 0 && dictionary.build(values, size);
            if (dictionaryEncoded) {
                out.ensure(dictionary.size * 8);
                for (int k = 0; k < dictionary.size; k++) {
                    out.int64(dictionary.distinct[k]);
                }
                sink.dictionaryPage(dictionary.size);
            }
            for (int from = 0; from < size; from += pageRows) {
                int to = Math.min(size, from + pageRows);
                if (dictionaryEncoded) {
                    HybridEncoder.dictionaryIds(dictionary.ids, from, to, dictionary.size, out);
                } else {
                    out.ensure((to - from) * 8);
                    for (int i = from; i < to; i++) {
                        out.int64(values[i]);
                    }
                }
                long[] bounds = bounds(from, to);
                sink.dataPage(to - from, pageStatistics(bounds == null ? null : le(bounds[0]),
                        bounds == null ? null : le(bounds[1]), 0), false,
                        dictionaryEncoded ? Encoding.PLAIN_DICTIONARY : Encoding.PLAIN);
            }
        }

        /** The smallest and largest value of rows [from, to) as stored, or null when none is ordered. */
        abstract long[] bounds(int from, int to);

        static byte[] le(long v) {
            byte[] b = new byte[8];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (v >>> (8 * i));
            }
            return b;
        }
    }

    static final class Int64 extends Fixed64 {
        Int64(ColumnDescriptor d, boolean statistics, boolean dictionary) {
            super(d, statistics, dictionary);
        }

        void add(long v) {
            push(v);
        }

        @Override
        long[] bounds(int from, int to) {
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = from; i < to; i++) {
                min = Math.min(min, values[i]);
                max = Math.max(max, values[i]);
            }
            return new long[] {min, max};
        }
    }

    /** 32-bit integers; the only column that may be null is {@code position}, so nulls are supported here. */
    static final class Int32 extends ColumnBuffer {
        private int[] values = new int[1 << 12];
        private boolean[] isNull = new boolean[1 << 12];
        private int nulls;
        /** Null for a column that is always plain. */
        private final NumberDictionary dictionary;

        Int32(ColumnDescriptor d, boolean statistics, boolean dictionary) {
            super(d, statistics);
            this.dictionary = dictionary ? new NumberDictionary() : null;
        }

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            isNull = grow(isNull, size);
            isNull[size] = false;
            values[size++] = v;
        }

        void add(Integer v) {
            if (v != null) {
                add(v.intValue());
                return;
            }
            if (!optional) {
                throw new IllegalArgumentException("column " + name() + " is required but got null");
            }
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            isNull = grow(isNull, size);
            isNull[size] = true;
            values[size++] = 0;
            nulls++;
        }

        @Override
        void clear() {
            super.clear();
            nulls = 0;
        }

        @Override
        void writeChunk(ChunkSink sink, int pageRows) throws IOException {
            PageBytes out = sink.page;
            // a column of nulls only needs no dictionary
            boolean dictionaryEncoded = dictionary != null && nulls < size && dictionary.build(values, isNull, size);
            if (dictionaryEncoded) {
                out.ensure(dictionary.size * 4);
                for (int k = 0; k < dictionary.size; k++) {
                    out.int32((int) dictionary.distinct[k]);
                }
                sink.dictionaryPage(dictionary.size);
            }
            for (int from = 0; from < size; from += pageRows) {
                int to = Math.min(size, from + pageRows);
                int[] scratch = sink.ints(to - from);
                if (optional) {
                    definitionLevels(isNull, from, to, scratch, out);
                }
                out.ensure((to - from) * 4);
                int min = Integer.MAX_VALUE;
                int max = Integer.MIN_VALUE;
                int pageNulls = 0;
                int n = 0;
                for (int i = from; i < to; i++) {
                    if (optional && isNull[i]) {
                        pageNulls++;
                        continue;
                    }
                    int v = values[i];
                    if (dictionaryEncoded) {
                        scratch[n++] = dictionary.ids[i];
                    } else {
                        out.int32(v);
                    }
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                if (dictionaryEncoded) {
                    HybridEncoder.dictionaryIds(scratch, 0, n, dictionary.size, out);
                }
                boolean any = pageNulls < to - from;
                sink.dataPage(to - from, pageStatistics(any ? le(min) : null, any ? le(max) : null, pageNulls),
                        optional, dictionaryEncoded ? Encoding.PLAIN_DICTIONARY : Encoding.PLAIN);
            }
        }

        private static byte[] le(int v) {
            return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
        }
    }

    static final class Float64 extends Fixed64 {
        Float64(ColumnDescriptor d, boolean statistics) {
            super(d, statistics, false);
        }

        void add(double v) {
            push(Double.doubleToRawLongBits(v));
        }

        @Override
        long[] bounds(int from, int to) {
            double min = Double.NaN;
            double max = Double.NaN;
            for (int i = from; i < to; i++) {
                double v = Double.longBitsToDouble(values[i]);
                if (!Double.isNaN(v)) { // NaN has no place in an order: it does not bound the page
                    min = Double.isNaN(min) || v < min ? v : min;
                    max = Double.isNaN(max) || v > max ? v : max;
                }
            }
            return Double.isNaN(min) ? null
                    : new long[] {Double.doubleToLongBits(min), Double.doubleToLongBits(max)};
        }
    }

    static final class Bool extends ColumnBuffer {
        private boolean[] values = new boolean[1 << 12];

        Bool(ColumnDescriptor d, boolean statistics) {
            super(d, statistics);
        }

        void add(boolean v) {
            values = grow(values, size);
            values[size++] = v;
        }

        @Override
        void writeChunk(ChunkSink sink, int pageRows) throws IOException {
            PageBytes out = sink.page;
            for (int from = 0; from < size; from += pageRows) {
                int to = Math.min(size, from + pageRows);
                boolean sawTrue = false;
                boolean sawFalse = false;
                int acc = 0;
                int bits = 0;
                for (int i = from; i < to; i++) { // plain booleans: one bit each, least significant first
                    boolean v = values[i];
                    sawTrue |= v;
                    sawFalse |= !v;
                    acc |= (v ? 1 : 0) << bits;
                    if (++bits == 8) {
                        out.u8(acc);
                        acc = 0;
                        bits = 0;
                    }
                }
                if (bits > 0) {
                    out.u8(acc);
                }
                byte[] min = {(byte) (sawFalse ? 0 : 1)};
                byte[] max = {(byte) (sawTrue ? 1 : 0)};
                sink.dataPage(to - from, pageStatistics(min, max, 0), false, Encoding.PLAIN);
            }
        }
    }
}
