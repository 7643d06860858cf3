package io.sessionlake.parquet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * One Parquet file being written: rows are buffered column by column and flushed as a row group when
 * enough have gathered. parquet-mr's {@link ParquetFileWriter} lays out the file, pages and footer; the
 * encoding of values into pages is ours, because parquet-mr's row-at-a-time writer cost more than
 * everything else in a run put together.
 */
public final class TableFile<T> implements AutoCloseable {
    /** parquet-mr's default page row limit: pages stay small enough for readers to skip. */
    static final int PAGE_ROWS = 20_000;

    private final int pageRows;
    private final ParquetFileWriter file;
    private final CodecFactory codecs;
    private final CompressionCodecName codec;
    private final ChunkSink sink;
    private final ParquetTable<T> table;
    private final RowGroupEncoder encoder;
    /** Buffers back from the encoder, for the next row group to fill. */
    private final BlockingQueue<ColumnBuffer[]> spare = new LinkedBlockingQueue<>();
    private ColumnBuffer[] buffers;
    private final Columns columns;
    private final RowWriter<T> rows;
    private final int rowGroupRows;
    private final long rowGroupBytes;
    private int buffered;
    private boolean closed;

    /** @param encoder where full row groups are encoded, or null to encode them on the caller's thread */
    TableFile(Path path, ParquetTable<T> table, int rowGroupRows, int pageRows, long rowGroupBytes,
            RowGroupEncoder encoder) throws IOException {
        this.table = table;
        this.encoder = encoder;
        this.file = new ParquetFileWriter(new LocalOutputFile(path), table.schema(), ParquetFileWriter.Mode.OVERWRITE,
                ParquetTable.ALIGNMENT_BLOCK_BYTES, 0, ParquetProperties.DEFAULT_COLUMN_INDEX_TRUNCATE_LENGTH,
                ParquetProperties.DEFAULT_STATISTICS_TRUNCATE_LENGTH, false);
        this.codecs = new CodecFactory(new PlainParquetConfiguration(), 1 << 20);
        this.codec = table.codec();
        this.sink = new ChunkSink(file, codecs.getCompressor(codec));
        this.buffers = table.newBuffers();
        this.columns = new Columns(buffers);
        this.rows = table.rows();
        this.rowGroupRows = rowGroupRows;
        this.rowGroupBytes = rowGroupBytes;
        this.pageRows = pageRows;
        file.start();
    }

    public void write(T row) throws IOException {
        rows.write(columns, row);
        buffered++;
        if (buffered >= rowGroupRows || ((buffered & 1023) == 0 && variableBytes() >= rowGroupBytes)) {
            flush();
        }
    }

    /** Rows buffered for the next row group. */
    public int buffered() {
        return buffered;
    }

    /** Writes the buffered rows as a row group, on the encoder's thread when there is one. */
    public void flush() throws IOException {
        if (buffered == 0) {
            return;
        }
        for (ColumnBuffer b : buffers) {
            if (b.size != buffered) {
                throw new IllegalStateException("column " + b.name() + " got " + b.size + " values for " + buffered
                        + " rows: the row writer must set every column once per row");
            }
        }
        ColumnBuffer[] full = buffers;
        int rowCount = buffered;
        buffered = 0;
        if (encoder == null) {
            writeRowGroup(full, rowCount);
            return;
        }
        ColumnBuffer[] next = spare.poll();
        buffers = next != null ? next : table.newBuffers();
        columns.use(buffers);
        encoder.submit(() -> {
            writeRowGroup(full, rowCount);
            spare.add(full);
        });
    }

    /** Row groups are written in the order they were filled: the encoder runs one job at a time. */
    private void writeRowGroup(ColumnBuffer[] full, int rowCount) throws IOException {
        file.startBlock(rowCount);
        for (ColumnBuffer b : full) {
            file.startColumn(b.descriptor, rowCount, codec);
            b.writeChunk(sink, pageRows);
            file.endColumn();
            b.clear();
        }
        file.endBlock();
    }

    private long variableBytes() {
        long total = 0;
        for (ColumnBuffer b : buffers) {
            total += b.variableBytes();
        }
        return total;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flush();
            if (encoder != null) {
                encoder.await();
            }
            file.end(Map.of());
        } finally {
            codecs.release();
            file.close(); // a no-op after end(); after a failure it still closes the local file
        }
    }
}
