package io.sessionlake.parquet;

import java.io.IOException;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Compresses the pages of one file with Snappy through snappy-java, the library parquet-java's own Snappy codec
 * calls: a page of a SNAPPY column chunk is one raw Snappy block (the Parquet format's definition), and that is
 * what {@link Snappy#rawCompress} writes. parquet-java's heap {@code CodecFactory} reaches the same call through
 * Hadoop's codec classes, which load and parse Hadoop's whole {@code Configuration} (core-default.xml) the first
 * time a file is written: about 80 ms of a cold start (issue 10), for a codec that needs no configuration.
 *
 * <p>One instance per file, used by one thread: as parquet-java's own compressors, it reuses its output buffer, and
 * the page writer copies each compressed page before it asks for the next.
 */
final class SnappyPages implements BytesInputCompressor {
    private byte[] out = new byte[0];

    @Override
    public BytesInput compress(BytesInput page) throws IOException {
        byte[] in = page.toByteArray();
        int bound = Snappy.maxCompressedLength(in.length);
        if (out.length < bound) {
            out = new byte[bound];
        }
        int n = Snappy.rawCompress(in, 0, in.length, out, 0);
        return BytesInput.from(out, 0, n);
    }

    @Override
    public CompressionCodecName getCodecName() {
        return CompressionCodecName.SNAPPY;
    }

    @Override
    public void release() {
        out = new byte[0];
    }
}
