package io.sessionlake.parquet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.parquet.bytes.BytesInput;

/** A growable byte buffer for one page being encoded; Parquet's plain encodings are little-endian. */
final class PageBytes {
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] buf = new byte[1 << 16];
    private int size;

    void reset() {
        size = 0;
    }

    int size() {
        return size;
    }

    /** The backing array: bytes [0, size()) are the content. */
    byte[] array() {
        return buf;
    }

    /** The bytes written so far, without a copy: valid until the next write or reset. */
    BytesInput view() {
        return BytesInput.from(buf, 0, size);
    }

    void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    void u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
    }

    void int32(int v) {
        ensure(4);
        INTS.set(buf, size, v);
        size += 4;
    }

    void int64(long v) {
        ensure(8);
        LONGS.set(buf, size, v);
        size += 8;
    }

    /** Counts {@code n} bytes already placed in {@link #array()} after the content as written. */
    void skip(int n) {
        size += n;
    }

    /** Overwrites four bytes written earlier, for a length known only afterwards. */
    void int32At(int at, int v) {
        INTS.set(buf, at, v);
    }

    void bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    void unsignedVarInt(int v) {
        ensure(5);
        while ((v & ~0x7F) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }
}
