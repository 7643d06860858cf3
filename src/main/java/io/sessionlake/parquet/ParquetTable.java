package io.sessionlake.parquet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Set;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * A Parquet layout (schema plus row writer) that opens writers on local files. Files are written
 * locally first and uploaded whole: the store never sees a partial object, and memory stays bounded
 * by the row group size rather than the object size.
 */
public final class ParquetTable<T> {
    private static final int ROW_GROUP_BYTES = 16 << 20;
    private static final int PAGE_BYTES = 1 << 20;

    private final MessageType schema;
    private final RowWriter<T> rows;
    private final CompressionCodecName codec;
    private final Set<String> withoutDictionary;
    private final Set<String> withoutStatistics;

    /**
     * @param withoutDictionary columns whose values rarely repeat (ids, times): a dictionary would be built
     *     and then thrown away for every page, which costs more than the write itself
     * @param withoutStatistics long text columns nobody filters on: min/max would only cost time and bytes
     */
    ParquetTable(String schemaText, RowWriter<T> rows, CompressionCodecName codec, Set<String> withoutDictionary,
            Set<String> withoutStatistics) {
        this.schema = MessageTypeParser.parseMessageType(schemaText);
        this.rows = rows;
        this.codec = codec;
        this.withoutDictionary = withoutDictionary;
        this.withoutStatistics = withoutStatistics;
    }

    public MessageType schema() {
        return schema;
    }

    public ParquetWriter<T> open(Path file) throws IOException {
        Builder<T> b = new Builder<>(new LocalOutputFile(file), schema, rows)
                .withConf(new PlainParquetConfiguration())
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(codec)
                .withRowGroupSize((long) ROW_GROUP_BYTES)
                .withPageSize(PAGE_BYTES)
                .withDictionaryEncoding(true)
                .withPageWriteChecksumEnabled(false)
                .withSizeStatisticsEnabled(false);
        withoutDictionary.forEach(c -> b.withDictionaryEncoding(c, false));
        withoutStatistics.forEach(c -> b.withStatisticsEnabled(c, false));
        return b.build();
    }

    private static final class Builder<T> extends ParquetWriter.Builder<T, Builder<T>> {
        private final MessageType schema;
        private final RowWriter<T> rows;

        Builder(OutputFile file, MessageType schema, RowWriter<T> rows) {
            super(file);
            this.schema = schema;
            this.rows = rows;
        }

        @Override
        protected Builder<T> self() {
            return this;
        }

        @Override
        protected WriteSupport<T> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
            return new RowWriteSupport<>(schema, rows);
        }

        @Override
        protected WriteSupport<T> getWriteSupport(ParquetConfiguration conf) {
            return new RowWriteSupport<>(schema, rows);
        }
    }

    private static final class RowWriteSupport<T> extends WriteSupport<T> {
        private final MessageType schema;
        private final RowWriter<T> rows;
        private RecordConsumer out;

        RowWriteSupport(MessageType schema, RowWriter<T> rows) {
            this.schema = schema;
            this.rows = rows;
        }

        @Override
        public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
            return new WriteContext(schema, new HashMap<>());
        }

        @Override
        public WriteContext init(ParquetConfiguration configuration) {
            return new WriteContext(schema, new HashMap<>());
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(T value) {
            out.startMessage();
            rows.write(out, value);
            out.endMessage();
        }
    }
}
