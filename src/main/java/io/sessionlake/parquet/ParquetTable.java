package io.sessionlake.parquet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * A Parquet layout (schema plus row writer) that opens writers on local files. Files are written
 * locally first and uploaded whole: the store never sees a partial object, and memory stays bounded
 * by the row group size rather than the object size.
 */
public final class ParquetTable<T> {
    /** Rows per row group: about parquet-mr's 16 MiB default for the feed's event rows, once encoded. */
    static final int ROW_GROUP_ROWS = 1 << 17;
    /** A row group is flushed early when its plain-encoded strings (queries, attributes) reach this many bytes. */
    static final long ROW_GROUP_PLAIN_BYTES = 32L << 20;
    /** Only used by parquet-mr to pad row groups to file-system blocks, which we turn off. */
    static final long ALIGNMENT_BLOCK_BYTES = 128L << 20;

    private final MessageType schema;
    private final RowWriter<T> rows;
    private final CompressionCodecName codec;
    private final Set<String> withoutDictionary;
    private final Set<String> withoutStatistics;

    /**
     * @param withoutDictionary columns whose values rarely repeat (ids, addresses, free text): a
     *     dictionary would be built and then thrown away for every row group
     * @param withoutStatistics long text columns nobody filters on: min/max would only cost time and bytes
     */
    ParquetTable(String schemaText, RowWriter<T> rows, CompressionCodecName codec, Set<String> withoutDictionary,
            Set<String> withoutStatistics) {
        this.schema = MessageTypeParser.parseMessageType(schemaText);
        this.rows = rows;
        this.codec = codec;
        this.withoutDictionary = withoutDictionary;
        this.withoutStatistics = withoutStatistics;
        for (String name : union(withoutDictionary, withoutStatistics)) {
            schema.getType(name); // fails now, not at the first flush, on a misspelt column
        }
    }

    public MessageType schema() {
        return schema;
    }

    CompressionCodecName codec() {
        return codec;
    }

    RowWriter<T> rows() {
        return rows;
    }

    /**
     * A file whose full row groups are encoded by {@code encoder} while the caller fills the next, or on the
     * caller's thread when it is null.
     */
    TableFile<T> open(Path file, RowGroupEncoder encoder) throws IOException {
        return new TableFile<>(file, this, ROW_GROUP_ROWS, TableFile.PAGE_ROWS, ROW_GROUP_PLAIN_BYTES, encoder);
    }

    /** Smaller row groups and pages: lets tests cross their boundaries with few rows. */
    TableFile<T> open(Path file, int rowGroupRows, int pageRows, RowGroupEncoder encoder) throws IOException {
        return new TableFile<>(file, this, rowGroupRows, pageRows, ROW_GROUP_PLAIN_BYTES, encoder);
    }

    /** Empty buffers for one file, one per column in schema order. */
    ColumnBuffer[] newBuffers() {
        List<ColumnDescriptor> descriptors = schema.getColumns();
        ColumnBuffer[] buffers = new ColumnBuffer[descriptors.size()];
        for (int i = 0; i < buffers.length; i++) {
            ColumnDescriptor d = descriptors.get(i);
            String name = d.getPrimitiveType().getName();
            boolean stats = !withoutStatistics.contains(name);
            PrimitiveTypeName type = d.getPrimitiveType().getPrimitiveTypeName();
            buffers[i] = switch (type) {
                case INT64 -> new NumberColumns.Int64(d, stats, !withoutDictionary.contains(name));
                case INT32 -> new NumberColumns.Int32(d, stats, !withoutDictionary.contains(name));
                case DOUBLE -> new NumberColumns.Float64(d, stats);
                case BOOLEAN -> new NumberColumns.Bool(d, stats);
                case BINARY -> new StringColumn(d, !withoutDictionary.contains(name), stats);
                default -> throw new IllegalArgumentException("no column buffer for " + type + " (" + name + ")");
            };
            if (type != PrimitiveTypeName.BINARY && type != PrimitiveTypeName.INT32 && d.getMaxDefinitionLevel() > 0) {
                throw new IllegalArgumentException("optional " + type + " columns are not supported (" + name + ")");
            }
        }
        return buffers;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }
}
