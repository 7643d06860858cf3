package io.sessionlake.parquet;

import java.io.IOException;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.schema.PrimitiveType;

/**
 * The values of one column for the row group being built, and how they become pages. Values are kept
 * unencoded (primitives, or shared String instances) until the row group is flushed, then encoded one
 * page at a time: that keeps the per-row cost to an array store.
 */
abstract class ColumnBuffer {
    final ColumnDescriptor descriptor;
    final PrimitiveType type;
    final boolean optional;
    final boolean statistics;
    int size;

    ColumnBuffer(ColumnDescriptor descriptor, boolean statistics) {
        this.descriptor = descriptor;
        this.type = descriptor.getPrimitiveType();
        this.optional = descriptor.getMaxDefinitionLevel() > 0;
        this.statistics = statistics;
    }

    String name() {
        return type.getName();
    }

    /** Bytes the buffered values will take at most in memory beyond the fixed arrays (long strings). */
    long variableBytes() {
        return 0;
    }

    /** Writes the buffered values as one column chunk, in pages of at most {@code pageRows} rows. */
    abstract void writeChunk(ChunkSink sink, int pageRows) throws IOException;

    void clear() {
        size = 0;
    }

    /** Page statistics from min/max bytes (null when the page holds no value) and a null count. */
    final Statistics<?> pageStatistics(byte[] min, byte[] max, long nulls) {
        Statistics.Builder b = Statistics.getBuilderForReading(type).withNumNulls(nulls);
        if (statistics && min != null) {
            b.withMin(min).withMax(max);
        }
        return b.build();
    }

    /** Definition levels of rows [from, to): 1 for a value, 0 for null; written before the values. */
    static void definitionLevels(boolean[] isNull, int from, int to, int[] scratch, PageBytes out) {
        int nulls = 0;
        for (int i = from; i < to; i++) {
            nulls += isNull[i] ? 1 : 0;
        }
        int lengthAt = out.size();
        out.int32(0);
        if (nulls == 0 || nulls == to - from) { // a page without nulls (or of nulls only) is a single run
            HybridEncoder.repeated(nulls == 0 ? 1 : 0, to - from, 1, out);
        } else {
            for (int i = from; i < to; i++) {
                scratch[i - from] = isNull[i] ? 0 : 1;
            }
            HybridEncoder.encode(scratch, 0, to - from, 1, out);
        }
        out.int32At(lengthAt, out.size() - lengthAt - 4);
    }

    static boolean[] grow(boolean[] a, int size) {
        return size < a.length ? a : java.util.Arrays.copyOf(a, a.length * 2);
    }
}
