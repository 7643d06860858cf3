package io.sessionlake.feed;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads an object line by line without holding more than one line (and a read buffer) in memory.
 * Gzip is detected by its magic bytes; a UTF-8 byte order mark and CR before LF are dropped. A line that
 * lies whole in the read buffer is handed out in place; only lines that straddle two reads are copied.
 */
public final class LineReader implements AutoCloseable {
    private static final int READ_CHUNK = 1 << 18;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] chunk = new byte[READ_CHUNK];
    private int chunkPos;
    private int chunkEnd;
    /** A line that straddles reads is gathered here. */
    private byte[] carried = new byte[1024];
    private int carriedLen;
    // the current line: a slice of chunk or of carried
    private byte[] lineBuf;
    private int lineStart;
    private int lineLen;
    private long lineNumber;
    private long bytesRead;
    private boolean eof;

    public LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** Wraps the raw object stream, unzipping it when it starts with the gzip magic bytes. */
    public static InputStream decoded(InputStream raw) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        buffered.mark(2);
        int b1 = buffered.read();
        int b2 = buffered.read();
        buffered.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            return new GZIPInputStream(buffered, 1 << 16);
        }
        return buffered;
    }

    /** Advances to the next line; false at the end of the object. */
    public boolean next() throws IOException {
        carriedLen = 0;
        while (true) {
            if (chunkPos == chunkEnd) {
                if (eof || !fill()) {
                    if (carriedLen == 0) {
                        return false;
                    }
                    finishLine(carried, 0, carriedLen);
                    return true;
                }
            }
            int newline = indexOfNewline(chunk, chunkPos, chunkEnd);
            if (newline >= 0 && carriedLen == 0) {
                int start = chunkPos;
                chunkPos = newline + 1;
                finishLine(chunk, start, newline - start);
                return true;
            }
            int end = newline < 0 ? chunkEnd : newline;
            carry(chunk, chunkPos, end - chunkPos);
            if (newline >= 0) {
                chunkPos = newline + 1;
                finishLine(carried, 0, carriedLen);
                return true;
            }
            chunkPos = chunkEnd;
        }
    }

    /** The array holding the current line, from {@link #offset()} for {@link #length()} bytes. */
    public byte[] buffer() {
        return lineBuf;
    }

    public int offset() {
        return lineStart;
    }

    public int length() {
        return lineLen;
    }

    /** 1-based number of the current line in the (decoded) object. */
    public long lineNumber() {
        return lineNumber;
    }

    public boolean isTooLong() {
        return lineLen > maxLineBytes;
    }

    /** True when the line holds only whitespace: blank lines are not counted (SPEC 2). */
    public boolean isBlank() {
        for (int i = lineStart; i < lineStart + lineLen; i++) {
            byte b = lineBuf[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Decoded bytes read so far. */
    public long bytesRead() {
        return bytesRead;
    }

    private boolean fill() throws IOException {
        int n = in.read(chunk, 0, chunk.length);
        if (n <= 0) {
            eof = true;
            chunkPos = chunkEnd = 0;
            return false;
        }
        bytesRead += n;
        chunkPos = 0;
        chunkEnd = n;
        return true;
    }

    private void finishLine(byte[] buf, int start, int len) {
        lineNumber++;
        if (len > 0 && buf[start + len - 1] == '\r') {
            len--;
        }
        if (lineNumber == 1 && len >= 3 && (buf[start] & 0xff) == 0xEF && (buf[start + 1] & 0xff) == 0xBB
                && (buf[start + 2] & 0xff) == 0xBF) {
            start += 3;
            len -= 3;
        }
        lineBuf = buf;
        lineStart = start;
        lineLen = len;
    }

    private void carry(byte[] src, int from, int count) {
        if (carriedLen + count > carried.length) {
            carried = Arrays.copyOf(carried, Math.max(carried.length * 2, carriedLen + count));
        }
        System.arraycopy(src, from, carried, carriedLen, count);
        carriedLen += count;
    }

    /** Eight bytes per step (the "has zero byte" bit trick on the bytes xor '\n'); the lowest hit is exact. */
    private static int indexOfNewline(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long w = (long) LONGS.get(b, i) ^ NEWLINES;
            long hit = (w - ONES) & ~w & HIGH_BITS;
            if (hit != 0) {
                return i + (Long.numberOfTrailingZeros(hit) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
