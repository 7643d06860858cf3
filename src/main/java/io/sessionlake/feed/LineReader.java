package io.sessionlake.feed;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads an object line by line without holding more than one line (and a read buffer) in memory.
 * Gzip is detected by its magic bytes; a UTF-8 byte order mark and CR before LF are dropped.
 */
public final class LineReader implements AutoCloseable {
    private static final int READ_CHUNK = 1 << 16;

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] chunk = new byte[READ_CHUNK];
    private int chunkPos;
    private int chunkEnd;
    private byte[] line = new byte[1024];
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
        BufferedInputStream buffered = new BufferedInputStream(raw, READ_CHUNK);
        buffered.mark(2);
        int b1 = buffered.read();
        int b2 = buffered.read();
        buffered.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            return new GZIPInputStream(buffered, READ_CHUNK);
        }
        return buffered;
    }

    /** Advances to the next line; false at the end of the object. */
    public boolean next() throws IOException {
        lineLen = 0;
        while (true) {
            if (chunkPos == chunkEnd) {
                if (eof || !fill()) {
                    if (lineLen == 0) {
                        return false;
                    }
                    finishLine();
                    return true;
                }
            }
            int newline = indexOfNewline(chunk, chunkPos, chunkEnd);
            int end = newline < 0 ? chunkEnd : newline;
            append(chunk, chunkPos, end - chunkPos);
            if (newline >= 0) {
                chunkPos = newline + 1;
                finishLine();
                return true;
            }
            chunkPos = chunkEnd;
        }
    }

    public byte[] buffer() {
        return line;
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
        for (int i = 0; i < lineLen; i++) {
            byte b = line[i];
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

    private void finishLine() {
        lineNumber++;
        if (lineLen > 0 && line[lineLen - 1] == '\r') {
            lineLen--;
        }
        if (lineNumber == 1 && lineLen >= 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB
                && (line[2] & 0xff) == 0xBF) {
            System.arraycopy(line, 3, line, 0, lineLen - 3);
            lineLen -= 3;
        }
    }

    private void append(byte[] src, int from, int count) {
        if (lineLen + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLen + count));
        }
        System.arraycopy(src, from, line, lineLen, count);
        lineLen += count;
    }

    private static int indexOfNewline(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
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
