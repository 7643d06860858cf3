package io.sessionlake.parquet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * One Parquet file being written, row by row, through parquet-java's column-level writers: a
 * {@link ColumnWriteStore} encodes each value as it comes (dictionary or plain, levels, page statistics,
 * column index, bloom filters, as configured in {@link ParquetProperties}), its pages are buffered
 * compressed in a {@link ColumnChunkPageWriteStore}, and {@link ParquetFileWriter} lays out the file.
 * That is the assembly parquet-java's own record writer uses, without its record API: our rows are typed
 * domain values, not records to be converted. What is ours is when a row group ends.
 */
public final class TableFile<T> implements AutoCloseable {
    /** parquet-java's padding to file-system blocks: off (0 bytes); the block size is then unused. */
    private static final long NO_ALIGNMENT_BLOCK_BYTES = 128L << 20;
    /** Rows between two looks at the buffered size, as parquet-java's record writer does at first. */
    private static final int SIZE_CHECK_ROWS = 1_000;

    private final ParquetTable<T> table;
    private final ParquetProperties properties;
    private final ParquetFileWriter file;
    /** parquet-java's codecs for any codec but SNAPPY; null for SNAPPY. */
    private final CodecFactory codecs;
    private final BytesInputCompressor compressor;
    private final List<ColumnDescriptor> descriptors;
    private final Columns columns;
    private final RowWriter<T> rows;
    private final int rowGroupRows;
    private final long rowGroupBytes;
    private ColumnChunkPageWriteStore pages;
    private ColumnWriteStore rowGroup;
    private int rowGroupOrdinal;
    private int buffered;
    private boolean closed;

    TableFile(Path path, ParquetTable<T> table, int rowGroupRows, long rowGroupBytes) throws IOException {
        this(path, table, rowGroupRows, rowGroupBytes, false);
    }

    /** @param parquetCodecs parquet-java's codecs for SNAPPY too: a test compares the two */
    TableFile(Path path, ParquetTable<T> table, int rowGroupRows, long rowGroupBytes, boolean parquetCodecs)
            throws IOException {
        this.table = table;
        this.properties = table.properties();
        this.file = new ParquetFileWriter(new LocalOutputFile(path), table.schema(), ParquetFileWriter.Mode.OVERWRITE,
                NO_ALIGNMENT_BLOCK_BYTES, 0, null, properties);
        if (table.codec() == CompressionCodecName.SNAPPY && !parquetCodecs) { // the default: no Hadoop codec classes (SnappyPages)
            this.codecs = null;
            this.compressor = new SnappyPages();
        } else { // parquet-java's own configuration, not Hadoop's
            this.codecs = new CodecFactory(new PlainParquetConfiguration(), properties.getPageSizeThreshold());
            this.compressor = codecs.getCompressor(table.codec());
        }
        this.descriptors = table.schema().getColumns();
        this.columns = new Columns(table.schema());
        this.rows = table.rows();
        this.rowGroupRows = rowGroupRows;
        this.rowGroupBytes = rowGroupBytes;
        file.start();
    }

    public void write(T row) throws IOException {
        if (rowGroup == null) {
            startRowGroup();
        }
        rows.write(columns, row);
        columns.endRow();
        rowGroup.endRecord();
        buffered++;
        if (buffered >= rowGroupRows
                || (buffered % SIZE_CHECK_ROWS == 0 && rowGroup.getBufferedSize() >= rowGroupBytes)) {
            flush();
        }
    }

    /** Rows buffered for the current row group. */
    public int buffered() {
        return buffered;
    }

    private void startRowGroup() {
        pages = new ColumnChunkPageWriteStore(compressor, table.schema(), properties.getAllocator(),
                properties.getColumnIndexTruncateLength(), properties.getPageWriteChecksumEnabled(),
                file.getEncryptor(), rowGroupOrdinal);
        rowGroup = properties.newColumnWriteStore(table.schema(), pages, pages);
        ColumnWriter[] writers = new ColumnWriter[descriptors.size()];
        for (int i = 0; i < writers.length; i++) {
            writers[i] = rowGroup.getColumnWriter(descriptors.get(i));
        }
        columns.use(writers);
    }

    /** Ends the current row group: its last pages are encoded and the whole group goes to the file. */
    public void flush() throws IOException {
        if (buffered == 0) {
            return;
        }
        rowGroup.flush();
        file.startBlock(buffered);
        pages.flushToFileWriter(file);
        file.endBlock();
        rowGroup.close();
        pages.close();
        rowGroup = null;
        pages = null;
        buffered = 0;
        rowGroupOrdinal++;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flush();
            file.end(Map.of());
        } finally {
            if (rowGroup != null) { // a failed row: its buffers are released, the file is thrown away
                rowGroup.close();
                pages.close();
            }
            if (codecs != null) {
                codecs.release();
            } else {
                compressor.release();
            }
            file.close(); // a no-op after end(); after a failure it still closes the local file
        }
    }
}
