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
 * Reads an object as blocks of whole lines, never more than a block (or the line limit) in memory. Every
 * block ends at the end of a line, so its lines can be cut out by whichever thread parses it ({@link Lines}),
 * and the reading thread only looks for the last newline of each block. The bytes of the partial line
 * at the end of a read are the only ones copied, to the start of the next block. A line longer than a
 * block grows the block up to the line limit; a line longer than the limit is never held whole: its
 * first bytes come as a block of their own ({@link Block#isCut()}) with the line's full length, and the
 * rest of it is read past in a small buffer. Gzip is detected by its magic bytes.
 */
public final class LineBlocks implements AutoCloseable {
    /** Bytes a line may take beyond the limit before it is known to be too long: a BOM and a CR. */
    private static final int SLACK = 8;
    /** Reads past the rest of a line that is too long. */
    private static final int SKIP_BYTES = 1 << 16;

    private final InputStream in;
    /** A block never grows beyond this: a line that fills it is too long whatever follows. */
    private final int maxBlockBytes;
    /** The bytes after the last newline of the previous block (or after a cut line): the start of the next one. */
    private byte[] carried = new byte[256];
    private int carriedLen;
    /** True when the carried bytes may hold whole lines: those after a cut line. */
    private boolean carriedHasNewline;
    private byte[] skip;
    private boolean first = true;
    private boolean eof;
    /** A read failure held back until the whole lines read before it are handed out. */
    private IOException failure;

    /** @param maxLineBytes lines longer than this are cut (SPEC 2: rejected as {@code line_too_long}) */
    public LineBlocks(InputStream decoded, int maxLineBytes) {
        if (maxLineBytes < 1 || maxLineBytes > Integer.MAX_VALUE - 64 - SLACK) {
            throw new IllegalArgumentException("the line limit must be between 1 and about 2 GB, got " + maxLineBytes);
        }
        this.in = decoded;
        this.maxBlockBytes = maxLineBytes + SLACK;
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

    /**
     * Whole lines: {@code bytes[0, length)}; only the object's last block may end without a newline. Or, when
     * {@code cutLineBytes >= 0}, the first bytes of one line too long to hold: {@code cutLineBytes} is its
     * full length (without a CR before its newline, with a byte order mark if it has one), and
     * {@code cutLineBlank} says whether all of it was whitespace.
     */
    public record Block(byte[] bytes, int length, boolean first, long cutLineBytes, boolean cutLineBlank) {
        public Block(byte[] bytes, int length, boolean first) {
            this(bytes, length, first, -1, false);
        }

        /** True for the head of a line too long to be held whole. */
        public boolean isCut() {
            return cutLineBytes >= 0;
        }
    }

    /**
     * Fills {@code buffer} with the next lines, or a larger array (at most the line limit) if one line
     * needs it, or hands out the head of a line longer than the limit.
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
        int searchFrom = carriedHasNewline ? 0 : carriedLen; // else the carried bytes hold no newline
        carriedLen = 0;
        carriedHasNewline = false;
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
                carry(b, end + 1, used - end - 1, false);
                return block(b, end + 1);
            }
            // one line fills the block
            if (used >= maxBlockBytes) {
                return cutLine(b, used, buffer.length);
            }
            searchFrom = used;
            b = Arrays.copyOf(b, (int) Math.min(2L * b.length, maxBlockBytes));
        }
    }

    /**
     * {@code b[0, used)} is the start of a line longer than the limit: hands it out as the line's head
     * after reading past the rest of the line, counting its bytes, in a small buffer of its own, in reads
     * of less than a block: what follows the line's newline in the last one starts the next block.
     */
    private Block cutLine(byte[] b, int used, int blockBytes) throws IOException {
        long length = used;
        boolean blank = isWhitespace(b, first && Lines.startsWithByteOrderMark(b, 0, used) ? 3 : 0, used);
        boolean endsWithCr = b[used - 1] == '\r';
        if (skip == null) {
            skip = new byte[SKIP_BYTES];
        }
        while (true) {
            int n;
            try {
                n = in.read(skip, 0, Math.max(1, Math.min(skip.length, blockBytes - 1)));
            } catch (IOException e) {
                eof = true; // as for any partial line: it is lost with the stream
                throw e;
            }
            if (n < 0) {
                eof = true;
                break;
            }
            int newline = Lines.indexOfNewline(skip, 0, n);
            int lineBytes = newline < 0 ? n : newline;
            if (lineBytes > 0) {
                length += lineBytes;
                blank = blank && isWhitespace(skip, 0, lineBytes);
                endsWithCr = skip[lineBytes - 1] == '\r';
            }
            if (newline >= 0) {
                carry(skip, newline + 1, n - newline - 1, true);
                break;
            }
        }
        Block block = new Block(b, used, first, endsWithCr ? length - 1 : length, blank);
        first = false;
        return block;
    }

    private static boolean isWhitespace(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    private Block block(byte[] b, int length) {
        Block block = new Block(b, length, first);
        first = false;
        return block;
    }

    private void carry(byte[] b, int from, int len, boolean mayHoldNewlines) {
        if (carried.length < len) {
            carried = new byte[Math.max(len, 2 * carried.length)];
        }
        System.arraycopy(b, from, carried, 0, len);
        carriedLen = len;
        carriedHasNewline = mayHoldNewlines;
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
     * caller adds the lines of the blocks before it. The one line of a cut block is its head: its
     * {@link #length()} is what the block holds, its {@link #lineBytes()} the full length.
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
        /** The full length of the block's line when the block is a cut one, else -1. */
        private long cutLineBytes;
        private boolean cutLineBlank;

        public Lines(int maxLineBytes) {
            this.maxLineBytes = maxLineBytes;
        }

        public Lines of(Block block) {
            b = block.bytes();
            pos = 0;
            end = block.length();
            atObjectStart = block.first();
            number = 0;
            cutLineBytes = block.cutLineBytes();
            cutLineBlank = block.cutLineBlank();
            return this;
        }

        /** Advances to the next line of the block; false after its last. */
        public boolean next() {
            if (pos >= end) {
                return false;
            }
            if (cutLineBytes >= 0) {
                return nextCut();
            }
            int newline = indexOfNewline(b, pos, end);
            int lineEnd = newline < 0 ? end : newline;
            start = pos;
            pos = lineEnd + 1;
            number++;
            if (lineEnd > start && b[lineEnd - 1] == '\r') {
                lineEnd--;
            }
            if (atObjectStart && number == 1 && startsWithByteOrderMark(b, start, lineEnd)) {
                start += 3;
            }
            length = lineEnd - start;
            return true;
        }

        /** The head of a line too long to be held whole: all of the block, as it has no newline. */
        private boolean nextCut() {
            start = pos;
            pos = end;
            number = 1;
            if (atObjectStart && startsWithByteOrderMark(b, start, end)) {
                start += 3;
                cutLineBytes -= 3;
            }
            length = end - start;
            return true;
        }

        private static boolean startsWithByteOrderMark(byte[] b, int from, int to) {
            return to - from >= 3 && (b[from] & 0xff) == 0xEF && (b[from + 1] & 0xff) == 0xBB
                    && (b[from + 2] & 0xff) == 0xBF;
        }

        public byte[] buffer() {
            return b;
        }

        public int offset() {
            return start;
        }

        /** The bytes of the line in {@link #buffer()}: all of it, or the head of a cut line. */
        public int length() {
            return length;
        }

        /** The full length of the line in bytes, also of a line too long to be held. */
        public long lineBytes() {
            return cutLineBytes >= 0 ? cutLineBytes : length;
        }

        /**
         * The bytes of the line to keep with its rejection: all of it, or of a line longer than the limit
         * the first {@code maxLineBytes}, cut back to the start of a UTF-8 character they would split.
         */
        public int keptLength() {
            if (!isTooLong()) {
                return length;
            }
            int n = Math.min(length, maxLineBytes);
            int lead = n - 1;
            while (lead > 0 && n - lead < 4 && (b[start + lead] & 0xC0) == 0x80) {
                lead--;
            }
            int first = b[start + lead] & 0xff;
            int needs = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1;
            return lead + needs > n ? lead : n;
        }

        /** 1-based number of the current line within its block. */
        public int number() {
            return number;
        }

        public boolean isTooLong() {
            return lineBytes() > maxLineBytes;
        }

        /** True when the line holds only whitespace: blank lines are not counted (SPEC 2). */
        public boolean isBlank() {
            if (cutLineBytes >= 0) {
                return cutLineBlank;
            }
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
