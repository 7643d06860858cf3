package io.sessionlake.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Blocks of whole lines, cut into lines: the same lines, numbers and flags whatever the reads and block size. */
class LineBlocksTest {
    private static final int BLOCK = 1 << 19;

    /** Every line of the object as "number:flag:first 20 bytes", numbered across blocks as the pipeline does. */
    private static List<String> read(java.io.InputStream decoded, int max, int blockBytes) throws IOException {
        List<String> out = new ArrayList<>();
        long before = 0;
        LineBlocks.Lines lines = new LineBlocks.Lines(max);
        try (LineBlocks blocks = new LineBlocks(decoded)) {
            for (LineBlocks.Block b = blocks.next(new byte[blockBytes]); b != null;
                    b = blocks.next(new byte[blockBytes])) {
                assertTrue(b.length() > 0, "no empty blocks");
                for (lines.of(b); lines.next(); ) {
                    out.add((before + lines.number()) + (lines.isBlank() ? ":blank" : lines.isTooLong() ? ":long" : ":")
                            + new String(lines.buffer(), lines.offset(), Math.min(lines.length(), 20),
                                    StandardCharsets.UTF_8));
                }
                before += lines.number();
            }
        }
        return out;
    }


    private static List<String> lines(byte[] object, int max) throws IOException {
        return read(LineBlocks.decoded(new ByteArrayInputStream(object)), max, BLOCK);
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
                expected.add(i + (body.isEmpty() ? ":blank" : ":") + body.substring(0, Math.min(body.length(), 20)));
                text.append(body).append(r.nextBoolean() ? "\r\n" : "\n");
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            // blocks from a few bytes (every line outgrows them) to larger than the object
            int block = new int[] {1, 7, 64, 4096, BLOCK}[round % 5];
            List<String> got = read(new Trickle(bytes, r.nextLong()), Integer.MAX_VALUE, block);
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

    @Test
    void aReadFailureComesAfterTheWholeLinesBeforeIt() throws IOException {
        byte[] text = "one\ntwo\nthr".getBytes(StandardCharsets.US_ASCII);
        java.io.InputStream failing = new java.io.InputStream() {
            private int pos;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos == text.length) {
                    throw new IOException("connection reset");
                }
                int n = Math.min(len, text.length - pos);
                System.arraycopy(text, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        LineBlocks blocks = new LineBlocks(failing);
        LineBlocks.Block b = blocks.next(new byte[1024]);
        LineBlocks.Lines lines = new LineBlocks.Lines(100).of(b);
        List<String> got = new ArrayList<>();
        while (lines.next()) {
            got.add(new String(lines.buffer(), lines.offset(), lines.length(), StandardCharsets.US_ASCII));
        }
        assertEquals(List.of("one", "two"), got, "the partial line is not handed out");
        IOException e = assertThrows(IOException.class, () -> blocks.next(new byte[1024]));
        assertEquals("connection reset", e.getMessage());
        assertEquals(null, blocks.next(new byte[1024]), "and then the object has ended");
    }

    @Test
    void theLastLineWithoutNewlineEndsTheLastBlock() throws IOException {
        byte[] text = "aaaa\nbbbb\ncc".getBytes(StandardCharsets.US_ASCII);
        assertEquals(List.of("1:aaaa", "2:bbbb", "3:cc"), read(new ByteArrayInputStream(text), 100, 6));
        assertEquals(List.of(), read(new ByteArrayInputStream(new byte[0]), 100, 6));
        assertEquals(List.of("1:blank"), read(new ByteArrayInputStream("\n".getBytes(StandardCharsets.US_ASCII)), 100, 6));
    }
}
