package io.sessionlake.parquet;

import org.apache.parquet.io.api.RecordConsumer;

/** Writes one value as one Parquet row, field by field, in schema order. */
@FunctionalInterface
interface RowWriter<T> {
    void write(RecordConsumer out, T value);
}
