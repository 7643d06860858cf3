package io.sessionlake.parquet;

import java.io.IOException;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.ParquetFileWriter;

/** Compresses the pages a column encodes and hands them to parquet-mr's file writer. */
final class ChunkSink {
    private final ParquetFileWriter file;
    private final BytesInputCompressor compressor;
    /** Scratch space the columns share: one page at a time is encoded. */
    final PageBytes page = new PageBytes();
    private int[] ints = new int[1 << 12];

    ChunkSink(ParquetFileWriter file, BytesInputCompressor compressor) {
        this.file = file;
        this.compressor = compressor;
    }

    int[] ints(int size) {
        if (ints.length < size) {
            ints = new int[Math.max(size, ints.length * 2)];
        }
        return ints;
    }

    void dictionaryPage(int entries) throws IOException {
        int uncompressed = page.size();
        BytesInput compressed = compressor.compress(page.view());
        file.writeDictionaryPage(new DictionaryPage(compressed, uncompressed, entries,
                Encoding.PLAIN_DICTIONARY));
        page.reset();
    }

    /**
     * Writes the encoded page held in {@link #page} (definition levels, then values) and resets it.
     * Level encodings are named as parquet-mr's own V1 writer names them: RLE when levels are written,
     * BIT_PACKED for the absent ones.
     */
    void dataPage(int rows, Statistics<?> statistics, boolean optional, Encoding values) throws IOException {
        int uncompressed = page.size();
        BytesInput compressed = compressor.compress(page.view());
        file.writeDataPage(rows, uncompressed, compressed, statistics, rows, Encoding.BIT_PACKED,
                optional ? Encoding.RLE : Encoding.BIT_PACKED, values);
        page.reset();
    }
}
