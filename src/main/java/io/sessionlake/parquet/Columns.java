package io.sessionlake.parquet;

/**
 * The row being written, seen by a {@link RowWriter}: one typed setter per Parquet column type, addressed
 * by the column's position in the schema. Each call appends to that column's buffer.
 */
final class Columns {
    private ColumnBuffer[] columns;

    Columns(ColumnBuffer[] columns) {
        this.columns = columns;
    }

    /** Points the setters at another set of buffers (the next row group's). */
    void use(ColumnBuffer[] buffers) {
        this.columns = buffers;
    }

    void int64(int column, long value) {
        ((NumberColumns.Int64) columns[column]).add(value);
    }

    void int32(int column, int value) {
        ((NumberColumns.Int32) columns[column]).add(value);
    }

    /** An optional int32; null writes a null. */
    void int32(int column, Integer value) {
        ((NumberColumns.Int32) columns[column]).add(value);
    }

    void float64(int column, double value) {
        ((NumberColumns.Float64) columns[column]).add(value);
    }

    void bool(int column, boolean value) {
        ((NumberColumns.Bool) columns[column]).add(value);
    }

    /** A string column; null writes a null. */
    void string(int column, String value) {
        ((StringColumn) columns[column]).add(value);
    }
}
