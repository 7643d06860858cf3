package io.sessionlake.parquet;

/** Puts the fields of one row into the columns of a layout, in schema order. */
@FunctionalInterface
interface RowWriter<T> {
    void write(Columns columns, T row);
}
