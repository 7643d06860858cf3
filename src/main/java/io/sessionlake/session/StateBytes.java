package io.sessionlake.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Unsynchronised byte encoding for the state: varints, fixed longs and length-prefixed UTF-8. The JDK's
 * DataOutputStream locks on every byte, which made encoding a large state several times slower.
 */
final class StateBytes {
    private StateBytes() {
    }

    /** Writes through a private buffer to a stream (a deflater), so the plain encoding never exists whole. */
    static final class Writer {
        private final OutputStream out;
        private final byte[] buf;
        private int pos;
        /** Allocated at the first shared string. */
        private java.util.HashMap<String, Integer> written;

        Writer(OutputStream out) {
            this(out, 1 << 16);
        }

        /** @param bufferSize at least 128: a leaf of a few kilobytes needs no 64 KiB buffer */
        Writer(OutputStream out, int bufferSize) {
            this.out = out;
            this.buf = new byte[bufferSize];
        }

        void varLong(long signed) {
            ensure(10);
            long v = (signed << 1) ^ (signed >> 63);
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void varInt(int v) {
            varLong(v);
        }

        void bool(boolean b) {
            ensure(1);
            buf[pos++] = (byte) (b ? 1 : 0);
        }

        void string(String s) {
            if (s == null) {
                varInt(-1);
                return;
            }
            int n = s.length();
            if (n < 64) { // short ASCII (addresses): straight into the buffer, its length a one-byte varint
                ensure(1 + n);
                if (asciiInto(s, buf, pos + 1)) {
                    buf[pos] = (byte) (n << 1); // varInt(n): zig-zag doubles it, under 128 it is one byte
                    pos += 1 + n;
                    return;
                }
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varInt(b.length);
            if (b.length > buf.length / 2) {
                flush();
                write(b, b.length);
                return;
            }
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        /** Copies the chars as bytes while they are ASCII; false (the copy unfinished) at the first that is not. */
        private static boolean asciiInto(String s, byte[] to, int at) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    return false;
                }
                to[at + i] = (byte) c;
            }
            return true;
        }

        /**
         * A string that repeats across the state (user agents, pages, referrers): the first time in full,
         * later as the number of its first appearance. Most of a state's text is a few hundred such values.
         * Codes: -1 null, 0 a new string follows, n > 0 the n-th string written this way.
         */
        void sharedString(String s) {
            if (s == null) {
                varInt(-1);
                return;
            }
            s = asReadBack(s);
            if (written == null) {
                written = new java.util.HashMap<>();
            }
            Integer seen = written.get(s);
            if (seen != null) {
                varInt(seen);
                return;
            }
            written.put(s, written.size() + 1);
            varInt(0);
            string(s);
        }

        /**
         * The string as it reads back: a lone surrogate (the feed's JSON may escape one) is written as '?', so two
         * such strings that differ in memory read back equal. Numbering shared strings by that form keeps the
         * encoding canonical: decoding and encoding a record again gives its bytes (stored customers are copied
         * unread on that promise).
         */
        private static String asReadBack(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (Character.isSurrogate(s.charAt(i))) {
                    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
                }
            }
            return s;
        }

        /** Forgets the shared strings written so far: the next one is written in full, as in a new writer. */
        void resetShared() {
            if (written != null) {
                written.clear();
            }
        }

        /** Bytes as they are: a customer's record copied from the leaf it was read from. */
        void raw(byte[] b, int from, int length) {
            if (length > buf.length / 2) {
                flush();
                try {
                    out.write(b, from, length);
                } catch (IOException e) {
                    throw new UncheckedIOException("encoding state in memory", e);
                }
                return;
            }
            ensure(length);
            System.arraycopy(b, from, buf, pos, length);
            pos += length;
        }

        void flush() {
            write(buf, pos);
            pos = 0;
        }

        private void write(byte[] b, int len) {
            try {
                out.write(b, 0, len);
            } catch (IOException e) {
                throw new UncheckedIOException("encoding state in memory", e);
            }
        }

        private void ensure(int n) {
            if (pos + n > buf.length) {
                flush();
            }
        }
    }

    /** Reads from a stream (an inflater) through a private buffer. */
    static final class Reader {
        /** Null for bytes in memory. */
        private final InputStream in;
        private final byte[] buf;
        private int end;
        private int pos;
        /** Allocated at the first shared string: most readers of a customer's record have a few, some none. */
        private java.util.ArrayList<String> shared;

        Reader(InputStream in) {
            this.in = in;
            this.buf = new byte[1 << 16];
        }

        /** Over bytes already in memory (a leaf): read in place, no buffer of its own. */
        Reader(byte[] whole) {
            this(whole, 0, whole.length);
        }

        /** Over {@code from} to {@code to} of bytes in memory (one customer's record in a leaf). */
        Reader(byte[] bytes, int from, int to) {
            this.in = null;
            this.buf = bytes;
            this.pos = from;
            this.end = to;
        }

        /** Where the next byte is read, in the bytes of an in-memory reader. */
        int position() {
            requireInMemory();
            return pos;
        }

        /** Skips {@code n} bytes of an in-memory reader; false, nothing skipped, when fewer are left. */
        boolean skip(int n) {
            requireInMemory();
            if (n < 0 || n > end - pos) {
                return false;
            }
            pos += n;
            return true;
        }

        private boolean fill() throws IOException {
            if (pos < end) {
                return true;
            }
            if (in == null) {
                return false;
            }
            end = in.readNBytes(buf, 0, buf.length);
            pos = 0;
            return end > 0;
        }

        private void requireInMemory() {
            if (in != null) {
                throw new IllegalStateException("only a reader of bytes in memory knows its position");
            }
        }

        /**
         * A count of entries of at least a byte each, read: refused when more than the bytes left of an in-memory reader
         * (a damaged count would otherwise allocate before the read fails).
         */
        int count() throws IOException {
            int n = varInt();
            if (n < 0 || (in == null && n > end - pos)) {
                throw new IOException("corrupt state: a count of " + n + " with " + (end - pos) + " bytes left");
            }
            return n;
        }

        long varLong() throws IOException {
            long v = 0;
            int shift = 0;
            while (true) {
                if (!fill()) {
                    throw new IOException("corrupt state: truncated");
                }
                int b = buf[pos++] & 0xFF;
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
                shift += 7;
                if (shift > 63) {
                    throw new IOException("corrupt state: varint too long");
                }
            }
            return (v >>> 1) ^ -(v & 1);
        }

        int varInt() throws IOException {
            long v = varLong();
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IOException("corrupt state: integer out of range");
            }
            return (int) v;
        }

        boolean bool() throws IOException {
            if (!fill()) {
                throw new IOException("corrupt state: truncated");
            }
            return buf[pos++] != 0;
        }

        String string() throws IOException {
            int len = varInt();
            if (len < 0) {
                return null;
            }
            if (in == null && len > end - pos) {
                throw new IOException("corrupt state: a string of " + len + " bytes with " + (end - pos) + " left");
            }
            byte[] b = new byte[len];
            int n = 0;
            while (n < len) {
                if (!fill()) {
                    throw new IOException("corrupt state: truncated string");
                }
                int take = Math.min(len - n, end - pos);
                System.arraycopy(buf, pos, b, n, take);
                pos += take;
                n += take;
            }
            return new String(b, StandardCharsets.UTF_8);
        }

        /** Reads what {@link Writer#sharedString} wrote; repeats come back as one shared instance. */
        String sharedString() throws IOException {
            int code = varInt();
            if (code < 0) {
                return null;
            }
            if (shared == null) {
                shared = new java.util.ArrayList<>(4);
            }
            if (code == 0) {
                String s = string();
                if (s == null) {
                    throw new IOException("corrupt state: null where a shared string was announced");
                }
                shared.add(s);
                return s;
            }
            if (code > shared.size()) {
                throw new IOException("corrupt state: shared string " + code + " of " + shared.size());
            }
            return shared.get(code - 1);
        }

        boolean atEnd() throws IOException {
            return !fill();
        }
    }
}
