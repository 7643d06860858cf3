package io.sessionlake.parquet;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriter;
import java.nio.charset.StandardCharsets;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;

/**
 * The row being written, seen by a {@link RowWriter}: one typed setter per Parquet column type, addressed
 * by the column's position in the schema. Each call hands the value to parquet-java's writer of that
 * column, which encodes it; the schemas are flat, so a value's repetition level is always 0 and its
 * definition level is the column's maximum (0 for a required column, 1 for an optional one).
 */
final class Columns {
    private final String[] names;
    private final int[] definitionLevels;
    /** Bit i set: column i has its value for the current row (the schemas have fewer than 64 columns). */
    private final long everyColumn;
    private ColumnWriter[] writers;
    private long written;
    /**
     * Recent strings of each column and their UTF-8 bytes, by identity, in a direct-mapped cache: the parsers
     * pool repeated values (user agents, pages, referrers, event types), so most rows repeat an instance
     * seen shortly before, and its bytes need not be encoded again.
     */
    private static final int RECENT_STRINGS = 1 << 10;
    /** Longer strings (queries, attributes: rarely repeated) are not kept: the cache holds at most ~0.5 MB a column. */
    private static final int RECENT_MAX_CHARS = 512;
    private final String[][] recentStrings;
    private final Binary[][] recentBytes;

    Columns(MessageType schema) {
        int n = schema.getColumns().size();
        if (n >= 64) {
            throw new IllegalArgumentException("a flat schema of at most 63 columns is supported, not " + n);
        }
        names = new String[n];
        definitionLevels = new int[n];
        for (int i = 0; i < n; i++) {
            ColumnDescriptor d = schema.getColumns().get(i);
            names[i] = d.getPrimitiveType().getName();
            definitionLevels[i] = d.getMaxDefinitionLevel();
            if (d.getMaxRepetitionLevel() != 0 || d.getPath().length != 1) {
                throw new IllegalArgumentException("only flat columns are supported: " + String.join(".", d.getPath()));
            }
        }
        everyColumn = (1L << n) - 1;
        recentStrings = new String[n][];
        recentBytes = new Binary[n][];
        for (int i = 0; i < n; i++) {
            if (schema.getColumns().get(i).getPrimitiveType().getPrimitiveTypeName()
                    == PrimitiveType.PrimitiveTypeName.BINARY) {
                recentStrings[i] = new String[RECENT_STRINGS];
                recentBytes[i] = new Binary[RECENT_STRINGS];
            }
        }
    }

    /** Points the setters at the writers of another row group. */
    void use(ColumnWriter[] columnWriters) {
        this.writers = columnWriters;
    }

    void int64(int column, long value) {
        writers[column].write(value, 0, definitionLevels[column]);
        written |= 1L << column;
    }

    void int32(int column, int value) {
        writers[column].write(value, 0, definitionLevels[column]);
        written |= 1L << column;
    }

    /** An optional int32; null writes a null. */
    void int32(int column, Integer value) {
        if (value == null) {
            writeNull(column);
        } else {
            int32(column, value.intValue());
        }
    }

    void float64(int column, double value) {
        writers[column].write(value, 0, definitionLevels[column]);
        written |= 1L << column;
    }

    void bool(int column, boolean value) {
        writers[column].write(value, 0, definitionLevels[column]);
        written |= 1L << column;
    }

    /** A string column; null writes a null. */
    void string(int column, String value) {
        if (value == null) {
            writeNull(column);
            return;
        }
        int slot = System.identityHashCode(value) & (RECENT_STRINGS - 1);
        String[] strings = recentStrings[column];
        Binary bytes;
        if (strings[slot] == value) {
            bytes = recentBytes[column][slot];
        } else {
            // a byte-array Binary, constant: hashed and compared faster by the dictionary than fromString's
            bytes = Binary.fromConstantByteArray(value.getBytes(StandardCharsets.UTF_8));
            if (value.length() <= RECENT_MAX_CHARS) {
                strings[slot] = value;
                recentBytes[column][slot] = bytes;
            }
        }
        writers[column].write(bytes, 0, definitionLevels[column]);
        written |= 1L << column;
    }

    private void writeNull(int column) {
        if (definitionLevels[column] == 0) {
            throw new IllegalArgumentException("null for the required column " + names[column]);
        }
        writers[column].writeNull(0, 0);
        written |= 1L << column;
    }

    /** Checks that the row writer set every column once; a skipped one would shift every later row. */
    void endRow() {
        if (written != everyColumn) {
            long missing = everyColumn & ~written;
            throw new IllegalStateException("the row writer did not set column "
                    + names[Long.numberOfTrailingZeros(missing)] + ": it must set every column once per row");
        }
        written = 0;
    }
}
