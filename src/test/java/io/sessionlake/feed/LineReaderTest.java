package io.sessionlake.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    private static List<String> lines(byte[] object, int max) throws IOException {
        List<String> out = new ArrayList<>();
        try (LineReader r = new LineReader(LineReader.decoded(new ByteArrayInputStream(object)), max)) {
            while (r.next()) {
                out.add(r.lineNumber() + (r.isBlank() ? ":blank" : r.isTooLong() ? ":long" : ":")
                        + new String(r.buffer(), r.offset(), Math.min(r.length(), 20), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void linesStraddlingReadsOfAnySizeComeOutWhole() throws IOException {
        java.util.Random r = new java.util.Random(42);
        for (int round = 0; round < 30; round++) {
            StringBuilder text = new StringBuilder(round % 2 == 0 ? "\uFEFF" : "");
            List<String> expected = new ArrayList<>();
            int count = 1 + r.nextInt(400);
            for (int i = 1; i <= count; i++) {
                int len = r.nextInt(10) == 0 ? r.nextInt(300_000) : r.nextInt(40);
                StringBuilder line = new StringBuilder();
                for (int k = 0; k < len; k++) {
                    line.append((char) ('a' + r.nextInt(26)));
                }
                String body = line.toString();
                expected.add(i + ":" + body.substring(0, Math.min(body.length(), 20)));
                text.append(body).append(r.nextBoolean() ? "\r\n" : "\n");
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            List<String> got = new ArrayList<>();
            try (LineReader reader = new LineReader(new Trickle(bytes, r.nextLong()), Integer.MAX_VALUE)) {
                while (reader.next()) {
                    got.add(reader.lineNumber() + ":" + new String(reader.buffer(), reader.offset(),
                            Math.min(reader.length(), 20), StandardCharsets.UTF_8));
                }
            }
            assertEquals(expected, got, "round " + round);
        }
    }

    /** Hands out the bytes in reads of random size, as a network stream does. */
    private static final class Trickle extends java.io.InputStream {
        private final byte[] bytes;
        private final java.util.Random sizes;
        private int pos;

        Trickle(byte[] bytes, long seed) {
            this.bytes = bytes;
            this.sizes = new java.util.Random(seed);
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, bytes.length - pos), 1 + sizes.nextInt(sizes.nextBoolean() ? 16 : 70_000));
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    @Test
    void crlfAndByteOrderMarkAreDropped() throws IOException {
        byte[] text = "\uFEFFa\r\nb\r\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("1:a", "2:b"), lines(text, 100));
    }

    @Test
    void lastLineWithoutNewlineIsRead() throws IOException {
        assertEquals(List.of("1:a", "2:b"), lines("a\nb".getBytes(StandardCharsets.UTF_8), 100));
    }

    @Test
    void blankLinesAreSeenAsBlank() throws IOException {
        assertEquals(List.of("1:a", "2:blank", "3:blank ", "4:b"), lines("a\n\n \nb\n".getBytes(StandardCharsets.UTF_8), 100));
    }

    @Test
    void gzipIsDetectedByMagicBytesWhateverTheName() throws IOException {
        assertEquals(List.of("1:x", "2:y"), lines(gzip("x\ny\n".getBytes(StandardCharsets.UTF_8)), 100));
    }

    @Test
    void lineOverTheLimitIsFlaggedAndReadWhole() throws IOException {
        byte[] big = new byte[300_000];
        Arrays.fill(big, (byte) 'z');
        String text = "a\n" + new String(big, StandardCharsets.US_ASCII) + "\nb\n";
        List<String> out = lines(text.getBytes(StandardCharsets.US_ASCII), 1000);
        assertEquals(3, out.size());
        assertEquals("2:long" + "z".repeat(20), out.get(1));
        assertEquals("3:b", out.get(2));
    }

    @Test
    void truncatedGzipFailsWithAnIoError() throws IOException {
        byte[] z = gzip("some line\nanother line\n".repeat(1000).getBytes(StandardCharsets.UTF_8));
        byte[] cut = Arrays.copyOf(z, z.length / 2);
        assertThrows(IOException.class, () -> lines(cut, 100_000));
    }
}
