package io.sessionlake.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Unsynchronised byte encoding for the state: varints, fixed longs and length-prefixed UTF-8. The JDK's
 * DataOutputStream locks on every byte, which made encoding a large state several times slower.
 */
final class StateBytes {
    private StateBytes() {
    }

    static final class Writer {
        private byte[] buf = new byte[1 << 16];
        private int pos;

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
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varInt(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        byte[] array() {
            return buf;
        }

        int length() {
            return pos;
        }

        private void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }
    }

    static final class Reader {
        private final byte[] buf;
        private final int end;
        private int pos;

        Reader(byte[] buf, int end) {
            this.buf = buf;
            this.end = end;
        }

        long varLong() throws IOException {
            long v = 0;
            int shift = 0;
            while (true) {
                if (pos >= end) {
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
            if (pos >= end) {
                throw new IOException("corrupt state: truncated");
            }
            return buf[pos++] != 0;
        }

        String string() throws IOException {
            int len = varInt();
            if (len < 0) {
                return null;
            }
            if (pos + len > end) {
                throw new IOException("corrupt state: truncated string");
            }
            String s = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        boolean atEnd() {
            return pos == end;
        }
    }
}
