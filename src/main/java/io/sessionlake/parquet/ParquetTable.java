package io.sessionlake.parquet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.factory.DefaultV1ValuesWriterFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * A Parquet layout (schema, row writer, and how parquet-java should encode each column) that opens writers
 * on local files. Files are written locally first and uploaded whole: the store never sees a partial object,
 * and memory stays bounded by the row group size rather than the object size.
 */
public final class ParquetTable<T> {
    /** Rows per row group: about 16 MiB of encoded clean events, a few row groups for a large object. */
    static final int ROW_GROUP_ROWS = 1 << 17;
    /**
     * A row group is also closed when its buffered pages reach this size (long queries or attributes): it is
     * held in memory until then, and a 1 GB object must run in a 512 MiB heap.
     */
    static final long ROW_GROUP_BYTES = 32L << 20;
    /** parquet-java's default: pages small enough for a reader to skip by their column index. */
    static final int PAGE_ROWS = ParquetProperties.DEFAULT_PAGE_ROW_COUNT_LIMIT;
    /**
     * Longest min/max kept in the footer statistics and the column index. Longer text (user agents, queries,
     * attributes) is truncated by parquet-java to a prefix that still bounds the values, as the column index
     * already is by default; whole 10 KB user agents in every page's index would only cost bytes.
     */
    static final int STATISTICS_TRUNCATE_BYTES = ParquetProperties.DEFAULT_COLUMN_INDEX_TRUNCATE_LENGTH;
    /** False-positive rate of the bloom filters: 1%, about 1.2 bytes per distinct id. */
    static final double BLOOM_FILTER_FPP = 0.01;
    /**
     * Largest bloom filter of a column chunk: room for about 200,000 distinct ids at 1%, more than a row
     * group holds. parquet-java sizes each filter from 1 KiB up to this by the distinct values it saw.
     */
    static final int BLOOM_FILTER_MAX_BYTES = 256 << 10;
    /** Candidate sizes parquet-java tries, halving from the largest: 256 KiB down to 1 KiB. */
    static final int BLOOM_FILTER_CANDIDATES = 9;

    private final MessageType schema;
    private final RowWriter<T> rows;
    private final CompressionCodecName codec;
    private final ParquetProperties properties;

    /**
     * @param withoutDictionary columns whose values rarely repeat (ids, addresses, free text): a
     *     dictionary would be built and then thrown away for every row group
     * @param bloomFiltered columns looked up by one value (a session, a customer): a bloom filter per row group
     *     lets an engine skip the row groups that cannot hold it, where min/max of random ids cannot
     */
    ParquetTable(String schemaText, RowWriter<T> rows, CompressionCodecName codec, Set<String> withoutDictionary,
            Set<String> bloomFiltered) {
        this.schema = MessageTypeParser.parseMessageType(schemaText);
        this.rows = rows;
        this.codec = codec;
        this.properties = properties(PAGE_ROWS, withoutDictionary, bloomFiltered);
        new Columns(schema); // fails now, not at the first row, on a schema the row setters cannot write
    }

    private ParquetTable(ParquetTable<T> table, ParquetProperties properties) {
        this.schema = table.schema;
        this.rows = table.rows;
        this.codec = table.codec;
        this.properties = properties;
    }

    private ParquetProperties properties(int pageRows, Set<String> withoutDictionary, Set<String> bloomFiltered) {
        ParquetProperties.Builder b = ParquetProperties.builder()
                // v1 pages (PLAIN_DICTIONARY, PLAIN, RLE levels): what parquet-java writes by default and what
                // every engine reads, older Athena and Hive ones included
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
                .withValuesWriterFactory(ownValuesWriters())
                .withDictionaryEncoding(true)
                .withPageRowCountLimit(pageRows)
                .withStatisticsTruncateLength(STATISTICS_TRUNCATE_BYTES)
                .withColumnIndexTruncateLength(STATISTICS_TRUNCATE_BYTES);
        for (String name : withoutDictionary) {
            schema.getType(name); // fails now on a misspelt column
            b.withDictionaryEncoding(name, false);
        }
        for (String name : bloomFiltered) {
            schema.getType(name);
            // adaptive: the filter is sized by the distinct values the row group really has, not by a guess
            b.withBloomFilterEnabled(name, true).withBloomFilterFPP(name, BLOOM_FILTER_FPP)
                    .withBloomFilterCandidatesNumber(name, BLOOM_FILTER_CANDIDATES);
        }
        b.withAdaptiveBloomFilterEnabled(true).withMaxBloomFilterBytes(BLOOM_FILTER_MAX_BYTES);
        return b.build();
    }

    /**
     * A values-writer factory for one {@link ParquetProperties} alone. parquet-java's default is one instance for
     * the whole JVM that every {@code build()} points at the properties built last (parquet-java issue 2174,
     * PARQUET-1302), so a file's dictionary settings were those of whichever table any thread built last: a run
     * builds the clean-event table, then the session table, then writes clean events with the session table's,
     * and the same rows came out in other bytes when another run built a table meanwhile. The v1 factory, as the
     * writer version is v1; not DefaultValuesWriterFactory, which delegates to a JVM-wide v1 factory.
     */
    private static DefaultV1ValuesWriterFactory ownValuesWriters() {
        return new DefaultV1ValuesWriterFactory();
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

    ParquetProperties properties() {
        return properties;
    }

    TableFile<T> open(Path file) throws IOException {
        return new TableFile<>(file, this, ROW_GROUP_ROWS, ROW_GROUP_BYTES);
    }

    /** Smaller row groups and pages: lets tests cross their boundaries with few rows. */
    TableFile<T> open(Path file, int rowGroupRows, int pageRows) throws IOException {
        return open(file, rowGroupRows, pageRows, false);
    }

    /** As {@link #open(Path, int, int)}; {@code parquetCodecs}: SNAPPY through parquet-java's codec factory. */
    TableFile<T> open(Path file, int rowGroupRows, int pageRows, boolean parquetCodecs) throws IOException {
        ParquetProperties small = ParquetProperties.copy(properties).withValuesWriterFactory(ownValuesWriters())
                .withPageRowCountLimit(pageRows)
                .withMinRowCountForPageSizeCheck(Math.min(pageRows, ParquetProperties.DEFAULT_MINIMUM_RECORD_COUNT_FOR_CHECK))
                .build();
        return new TableFile<>(file, new ParquetTable<>(this, small), rowGroupRows, ROW_GROUP_BYTES, parquetCodecs);
    }
}
