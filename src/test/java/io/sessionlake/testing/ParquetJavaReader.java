package io.sessionlake.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.internal.column.columnindex.ColumnIndex;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Reads a Parquet file the way Spark, Hive, Flink and Iceberg do, through parquet-java's {@link ParquetReader},
 * with or without a pushed-down filter, plus the footer, column indexes and offset indexes as
 * {@link ParquetFileReader} sees them. Values come back as plain Java values: Integer, Long, Double, Boolean,
 * {@link Binary} for strings, null for a null.
 */
public final class ParquetJavaReader {
    /** Compares values of one column as Parquet orders them: numbers signed, strings byte-wise unsigned. */
    public static final Comparator<Object> ORDER = ParquetJavaReader::compare;

    private ParquetJavaReader() {
    }

    /** A leaf column of a flat schema. */
    public record Column(int index, String name, PrimitiveTypeName type, boolean optional) {
    }

    /** One row as read, with its position in the file (0-based over all row groups). */
    public record Row(long index, Object[] values) {
    }

    /** What the footer and page indexes say about one column chunk; indexes are null when not written. */
    public record Chunk(ColumnChunkMetaData metadata, ColumnIndex columnIndex, OffsetIndex offsetIndex) {
    }

    /** A row group: where its rows start in the file, how many it holds, and its chunks in column order. */
    public record RowGroup(long firstRow, long rowCount, List<Chunk> chunks) {
        /** The first row (file-wide) of each page of a column; one page spanning the row group without an offset index. */
        public long[] pageStarts(int column) {
            OffsetIndex offsets = chunks.get(column).offsetIndex();
            if (offsets == null) {
                return new long[] {firstRow};
            }
            long[] starts = new long[offsets.getPageCount()];
            for (int p = 0; p < starts.length; p++) {
                starts[p] = firstRow + offsets.getFirstRowIndex(p);
            }
            return starts;
        }
    }

    /** A whole file: its columns, every row in file order, and its row groups' metadata. */
    public record FileContent(Path path, List<Column> columns, List<Row> rows, List<RowGroup> rowGroups) {
        public Column column(String name) {
            return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
        }
    }

    public static MessageType schema(Path file) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            return reader.getFooter().getFileMetaData().getSchema();
        }
    }

    private static final Map<Path, FileContent> CONTENT = new ConcurrentHashMap<>();

    /** {@link #readAll}, once per file for all the tests of a JVM (the files are not changed once written). */
    public static FileContent content(Path file) {
        return CONTENT.computeIfAbsent(file, f -> {
            try {
                return readAll(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public static FileContent readAll(Path file) throws IOException {
        List<Column> columns = new ArrayList<>();
        List<RowGroup> groups = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            for (ColumnDescriptor d : schema.getColumns()) {
                if (d.getPath().length != 1 || d.getMaxRepetitionLevel() != 0) {
                    throw new IllegalArgumentException(file + ": only flat schemas are read here, not " + d);
                }
                PrimitiveType t = d.getPrimitiveType();
                columns.add(new Column(columns.size(), t.getName(), t.getPrimitiveTypeName(),
                        t.getRepetition() == PrimitiveType.Repetition.OPTIONAL));
            }
            long firstRow = 0;
            for (BlockMetaData block : reader.getFooter().getBlocks()) {
                List<Chunk> chunks = new ArrayList<>();
                for (ColumnChunkMetaData chunk : block.getColumns()) {
                    chunks.add(new Chunk(chunk, reader.readColumnIndex(chunk), reader.readOffsetIndex(chunk)));
                }
                groups.add(new RowGroup(firstRow, block.getRowCount(), List.copyOf(chunks)));
                firstRow += block.getRowCount();
            }
        }
        List<Row> rows = read(file, null, columns);
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).index() != i) {
                throw new IllegalStateException(file + ": row " + i + " of a full read reports row index "
                        + rows.get(i).index());
            }
        }
        return new FileContent(file, List.copyOf(columns), rows, List.copyOf(groups));
    }

    /**
     * The rows parquet-java returns for {@code predicate} with every pushdown on (row-group statistics,
     * dictionaries, column indexes, bloom filters) and record-level filtering, reading only the columns
     * {@code projected} (the others are null in the rows returned), as an engine reads only what a query needs.
     */
    public static List<Row> readFiltered(FileContent file, FilterPredicate predicate, List<Column> projected)
            throws IOException {
        return read(file.path(), predicate, file.columns(), projected);
    }

    private static List<Row> read(Path file, FilterPredicate predicate, List<Column> columns) throws IOException {
        return read(file, predicate, columns, columns);
    }

    private static List<Row> read(Path file, FilterPredicate predicate, List<Column> columns, List<Column> projected)
            throws IOException {
        // a plain configuration: a Hadoop one per reader would parse its XML defaults every time
        ParquetReader.Builder<Object[]> builder = new ParquetReader.Builder<Object[]>(
                new LocalInputFile(file), new PlainParquetConfiguration()) {
            @Override
            protected ReadSupport<Object[]> getReadSupport() {
                return new RowReadSupport(columns.size(), projected);
            }
        };
        if (predicate != null) {
            builder.withFilter(FilterCompat.get(predicate))
                    .useStatsFilter(true)
                    .useDictionaryFilter(true)
                    .useColumnIndexFilter(true)
                    .useBloomFilter(true)
                    .useRecordFilter(true);
        }
        List<Row> rows = new ArrayList<>();
        try (ParquetReader<Object[]> reader = builder.build()) {
            for (Object[] values = reader.read(); values != null; values = reader.read()) {
                rows.add(new Row(reader.getCurrentRowIndex(), values));
            }
        }
        return rows;
    }

    /** Materializes a row of a flat schema as an array of plain Java values, one per column. */
    private static final class RowReadSupport extends ReadSupport<Object[]> {
        private final int width;
        private final List<Column> projected;

        RowReadSupport(int width, List<Column> projected) {
            this.width = width;
            this.projected = projected;
        }

        @Override
        public ReadContext init(InitContext context) {
            MessageType file = context.getFileSchema();
            return new ReadContext(new MessageType(file.getName(),
                    projected.stream().map(c -> file.getType(c.name())).toList()));
        }

        @Override
        public RecordMaterializer<Object[]> prepareForRead(Configuration conf, Map<String, String> metadata,
                MessageType fileSchema, ReadContext context) {
            return materializer(context.getRequestedSchema());
        }

        @Override
        public RecordMaterializer<Object[]> prepareForRead(ParquetConfiguration conf, Map<String, String> metadata,
                MessageType fileSchema, ReadContext context) {
            return materializer(context.getRequestedSchema());
        }

        private RecordMaterializer<Object[]> materializer(MessageType schema) {
            Object[][] current = new Object[1][];
            Converter[] fields = new Converter[schema.getFieldCount()];
            for (int i = 0; i < fields.length; i++) {
                int column = projected.get(i).index();
                fields[i] = new PrimitiveConverter() {
                    @Override
                    public void addBinary(Binary value) {
                        current[0][column] = Binary.fromConstantByteArray(value.getBytes());
                    }

                    @Override
                    public void addBoolean(boolean value) {
                        current[0][column] = value;
                    }

                    @Override
                    public void addDouble(double value) {
                        current[0][column] = value;
                    }

                    @Override
                    public void addFloat(float value) {
                        current[0][column] = value;
                    }

                    @Override
                    public void addInt(int value) {
                        current[0][column] = value;
                    }

                    @Override
                    public void addLong(long value) {
                        current[0][column] = value;
                    }
                };
            }
            GroupConverter root = new GroupConverter() {
                @Override
                public Converter getConverter(int field) {
                    return fields[field];
                }

                @Override
                public void start() {
                    current[0] = new Object[width];
                }

                @Override
                public void end() {
                }
            };
            return new RecordMaterializer<>() {
                @Override
                public Object[] getCurrentRecord() {
                    return current[0];
                }

                @Override
                public GroupConverter getRootConverter() {
                    return root;
                }
            };
        }
    }

    /** A min or max as the footer or a column index stores it (PLAIN encoding of one value). */
    public static Object decode(PrimitiveTypeName type, ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return switch (type) {
            case INT32 -> b.getInt(b.position());
            case INT64 -> b.getLong(b.position());
            case DOUBLE -> b.getDouble(b.position());
            case FLOAT -> b.getFloat(b.position());
            case BOOLEAN -> b.get(b.position()) != 0;
            case BINARY, FIXED_LEN_BYTE_ARRAY -> Binary.fromConstantByteBuffer(b);
            default -> throw new IllegalArgumentException("no decoding of " + type);
        };
    }

    @SuppressWarnings("unchecked")
    private static int compare(Object a, Object b) {
        if (a instanceof Binary x && b instanceof Binary y) {
            ByteBuffer p = x.toByteBuffer();
            ByteBuffer q = y.toByteBuffer();
            if (p.hasArray() && q.hasArray()) { // no copy of a 10 KB value for each comparison
                int i = p.arrayOffset() + p.position();
                int j = q.arrayOffset() + q.position();
                return Arrays.compareUnsigned(p.array(), i, i + p.remaining(), q.array(), j, j + q.remaining());
            }
            return Arrays.compareUnsigned(x.getBytes(), y.getBytes());
        }
        return ((Comparable<Object>) a).compareTo(b);
    }

    /** A value for a message: strings cut to 60 characters, so a 10 KB user agent does not flood the report. */
    public static String show(Object value) {
        if (value instanceof Binary b) {
            String s = new String(b.getBytes(), StandardCharsets.UTF_8);
            return "'" + (s.length() > 60 ? s.substring(0, 60) + "...(" + s.length() + " chars)" : s) + "'";
        }
        return String.valueOf(value);
    }
}
