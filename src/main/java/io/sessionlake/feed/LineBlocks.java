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
 * Reads an object as blocks of whole lines, never more than a block (and a line) in memory. Every block
 * ends at the end of a line, so its lines can be cut out by whichever thread parses it ({@link Lines}),
 * and the reading thread only looks for the last newline of each block. The bytes of the partial line
 * at the end of a read are the only ones copied, to the start of the next block. A line longer than a
 * block grows the block until the line ends: it is read whole, to be kept verbatim with its rejection.
 * Gzip is detected by its magic bytes.
 */
public final class LineBlocks implements AutoCloseable {
    private final InputStream in;
    /** The bytes after the last newline of the previous block: the start of the next one. */
    private byte[] carried = new byte[256];
    private int carriedLen;
    private boolean first = true;
    private boolean eof;
    /** A read failure held back until the whole lines read before it are handed out. */
    private IOException failure;

    public LineBlocks(InputStream decoded) {
        this.in = decoded;
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

    /** Whole lines: {@code bytes[0, length)}; only the object's last block may end without a newline. */
    public record Block(byte[] bytes, int length, boolean first) {
    }

    /**
     * Fills {@code buffer} with the next lines, or a larger array if one line needs it.
     *
     * @return the block, or null at the end of the object
     * @throws IOException the read failure, once the lines before it have been handed out
     */
    public Block next(byte[] buffer) throws IOException {
        if (failure != null) {
            IOException e = failure;
            failure = null;
            eof = true;
            carriedLen = 0;
            throw e;
        }
        if (eof && carriedLen == 0) {
            return null;
        }
        byte[] b = buffer.length > carriedLen ? buffer : new byte[Math.max(2 * buffer.length, carriedLen + 1)];
        System.arraycopy(carried, 0, b, 0, carriedLen);
        int used = carriedLen;
        int searchFrom = carriedLen; // the carried bytes hold no newline
        carriedLen = 0;
        while (true) {
            try {
                while (!eof && used < b.length) {
                    int n = in.read(b, used, b.length - used);
                    if (n < 0) {
                        eof = true;
                    } else {
                        used += n;
                    }
                }
            } catch (IOException e) {
                int end = lastNewline(b, 0, used);
                if (end < 0) {
                    eof = true;
                    throw e;
                }
                failure = e; // the partial line after the last newline is lost with the stream
                return block(b, end + 1);
            }
            if (eof) {
                return used == 0 ? null : block(b, used);
            }
            int end = lastNewline(b, searchFrom, used);
            if (end >= 0) {
                carry(b, end + 1, used - end - 1);
                return block(b, end + 1);
            }
            searchFrom = used; // one line fills the block: read on until it ends
            b = Arrays.copyOf(b, b.length * 2);
        }
    }

    private Block block(byte[] b, int length) {
        Block block = new Block(b, length, first);
        first = false;
        return block;
    }

    private void carry(byte[] b, int from, int len) {
        if (carried.length < len) {
            carried = new byte[Math.max(len, 2 * carried.length)];
        }
        System.arraycopy(b, from, carried, 0, len);
        carriedLen = len;
    }

    /** Lines are short: looking back from the end finds the last newline after a few hundred bytes. */
    private static int lastNewline(byte[] b, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
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

    /**
     * The lines of one block, one after the other, as slices of its bytes. A UTF-8 byte order mark at the
     * start of the object and CR before LF are dropped. Lines are numbered from 1 within the block; the
     * caller adds the lines of the blocks before it.
     */
    public static final class Lines {
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
                ByteOrder.LITTLE_ENDIAN);
        private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
        private static final long ONES = 0x0101010101010101L;
        private static final long HIGH_BITS = 0x8080808080808080L;

        private final int maxLineBytes;
        private byte[] b;
        private int pos;
        private int end;
        private boolean atObjectStart;
        private int number;
        private int start;
        private int length;

        public Lines(int maxLineBytes) {
            this.maxLineBytes = maxLineBytes;
        }

        public Lines of(Block block) {
            b = block.bytes();
            pos = 0;
            end = block.length();
            atObjectStart = block.first();
            number = 0;
            return this;
        }

        /** Advances to the next line of the block; false after its last. */
        public boolean next() {
            if (pos >= end) {
                return false;
            }
            int newline = indexOfNewline(b, pos, end);
            int lineEnd = newline < 0 ? end : newline;
            start = pos;
            pos = lineEnd + 1;
            number++;
            if (lineEnd > start && b[lineEnd - 1] == '\r') {
                lineEnd--;
            }
            if (atObjectStart && number == 1 && lineEnd - start >= 3 && (b[start] & 0xff) == 0xEF
                    && (b[start + 1] & 0xff) == 0xBB && (b[start + 2] & 0xff) == 0xBF) {
                start += 3;
            }
            length = lineEnd - start;
            return true;
        }

        public byte[] buffer() {
            return b;
        }

        public int offset() {
            return start;
        }

        public int length() {
            return length;
        }

        /** 1-based number of the current line within its block. */
        public int number() {
            return number;
        }

        public boolean isTooLong() {
            return length > maxLineBytes;
        }

        /** True when the line holds only whitespace: blank lines are not counted (SPEC 2). */
        public boolean isBlank() {
            for (int i = start; i < start + length; i++) {
                byte c = b[i];
                if (c != ' ' && c != '\t' && c != '\r') {
                    return false;
                }
            }
            return true;
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
    }
}
