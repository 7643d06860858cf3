package io.sessionlake.parquet;

import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

/** Field writers for RecordConsumer that skip absent optional values, as Parquet requires. */
final class Fields {
    private Fields() {
    }

    static void string(RecordConsumer out, int index, String name, String value) {
        binary(out, index, name, value == null ? null : Binary.fromString(value));
    }

    static void binary(RecordConsumer out, int index, String name, Binary value) {
        if (value == null) {
            return;
        }
        out.startField(name, index);
        out.addBinary(value);
        out.endField(name, index);
    }

    static void int64(RecordConsumer out, int index, String name, long value) {
        out.startField(name, index);
        out.addLong(value);
        out.endField(name, index);
    }

    static void int32(RecordConsumer out, int index, String name, int value) {
        out.startField(name, index);
        out.addInteger(value);
        out.endField(name, index);
    }

    static void optionalInt32(RecordConsumer out, int index, String name, Integer value) {
        if (value != null) {
            int32(out, index, name, value);
        }
    }

    static void float64(RecordConsumer out, int index, String name, double value) {
        out.startField(name, index);
        out.addDouble(value);
        out.endField(name, index);
    }

    static void bool(RecordConsumer out, int index, String name, boolean value) {
        out.startField(name, index);
        out.addBoolean(value);
        out.endField(name, index);
    }
}
