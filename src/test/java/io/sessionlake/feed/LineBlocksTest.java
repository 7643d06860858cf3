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
        try (LineBlocks blocks = new LineBlocks(decoded, max)) {
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
            List<String> got = read(new Trickle(bytes, r.nextLong()), 1 << 20, block);
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
    void lineOverTheLimitIsFlaggedAndTheNextLineIsRead() throws IOException {
        byte[] big = new byte[300_000];
        Arrays.fill(big, (byte) 'z');
        String text = "a\n" + new String(big, StandardCharsets.US_ASCII) + "\nb\n";
        List<String> out = lines(text.getBytes(StandardCharsets.US_ASCII), 1000);
        assertEquals(3, out.size());
        assertEquals("2:long" + "z".repeat(20), out.get(1));
        assertEquals("3:b", out.get(2));
    }

    /** One line as the pipeline sees it: number in the object, flags, full length, and the bytes it keeps. */
    record Seen(long number, String flag, long lineBytes, String kept) {
        static Seen of(long number, String flag, long lineBytes, String kept) {
            return new Seen(number, flag, lineBytes, kept);
        }

        /** Short enough to read in a failure: the kept bytes abbreviated, with their length. */
        @Override
        public String toString() {
            return number + ":" + flag + ":" + lineBytes + ":" + (kept.length() <= 12 ? kept
                    : kept.substring(0, 12) + "..(" + kept.length() + ")");
        }
    }

    /** Every line with what a rejection would keep, and the largest array a block was handed out in. */
    private static List<Seen> seen(java.io.InputStream decoded, int max, int blockBytes, int[] largestBlock)
            throws IOException {
        List<Seen> out = new ArrayList<>();
        long before = 0;
        LineBlocks.Lines lines = new LineBlocks.Lines(max);
        try (LineBlocks blocks = new LineBlocks(decoded, max)) {
            for (LineBlocks.Block b = blocks.next(new byte[blockBytes]); b != null;
                    b = blocks.next(new byte[blockBytes])) {
                largestBlock[0] = Math.max(largestBlock[0], b.bytes().length);
                for (lines.of(b); lines.next(); ) {
                    String flag = lines.isBlank() ? "blank" : lines.isTooLong() ? "long" : "";
                    out.add(Seen.of(before + lines.number(), flag, lines.lineBytes(), new String(lines.buffer(),
                            lines.offset(), lines.keptLength(), StandardCharsets.UTF_8)));
                }
                before += lines.number();
            }
        }
        return out;
    }

    private static List<Seen> seen(byte[] object, int max) throws IOException {
        return seen(LineBlocks.decoded(new ByteArrayInputStream(object)), max, BLOCK, new int[1]);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aLineOfExactlyTheLimitIsNotTooLong() throws IOException {
        String line = "x".repeat(100);
        assertEquals(List.of(Seen.of(1, "", 100, line), Seen.of(2, "", 1, "b")), seen(ascii(line + "\nb\n"), 100));
    }

    @Test
    void aLineOneByteOverTheLimitIsTooLongAndKeepsTheLimit() throws IOException {
        String line = "x".repeat(100) + "y";
        assertEquals(List.of(Seen.of(1, "long", 101, "x".repeat(100)), Seen.of(2, "", 1, "b")),
                seen(ascii(line + "\nb\n"), 100));
    }

    @Test
    void aLineOfExactlyTheLimitWithCrlfIsNotTooLong() throws IOException {
        String line = "x".repeat(100);
        assertEquals(List.of(Seen.of(1, "", 100, line), Seen.of(2, "", 1, "b")),
                seen(ascii(line + "\r\nb\r\n"), 100));
        // the same in blocks that just hold the line, its CR, or not even that
        for (int block : new int[] {99, 100, 101, 102, 103, 108}) {
            assertEquals(List.of(Seen.of(1, "", 100, line), Seen.of(2, "", 1, "b")),
                    seen(new ByteArrayInputStream(ascii(line + "\r\nb\r\n")), 100, block, new int[1]), "block " + block);
        }
    }

    @Test
    void aLongLineWithCrlfIsMeasuredWithoutItsCr() throws IOException {
        String line = "x".repeat(5000);
        assertEquals(List.of(Seen.of(1, "long", 5000, "x".repeat(100)), Seen.of(2, "", 1, "b")),
                seen(ascii(line + "\r\nb\r\n"), 100));
    }

    @Test
    void aLongLineAtTheStartOfTheObjectIsCutAndTheRestIsRead() throws IOException {
        String line = "{\"a\":\"" + "x".repeat(1_000_000) + "\"}";
        assertEquals(List.of(Seen.of(1, "long", line.length(), line.substring(0, 1000)), Seen.of(2, "", 1, "b"),
                Seen.of(3, "", 1, "c")), seen(ascii(line + "\nb\nc\n"), 1000));
    }

    @Test
    void aLongLineWithAByteOrderMarkIsMeasuredWithoutIt() throws IOException {
        String line = "x".repeat(1_000_000);
        assertEquals(List.of(Seen.of(1, "long", 1_000_000, "x".repeat(1000)), Seen.of(2, "", 1, "b")),
                seen(("\uFEFF" + line + "\nb").getBytes(StandardCharsets.UTF_8), 1000));
    }

    @Test
    void aLongLineInTheMiddleIsCutAndTheLinesAroundItAreRead() throws IOException {
        String before = "a\n".repeat(10_000);
        String line = "y".repeat(3_000_000);
        List<Seen> got = seen(ascii(before + line + "\nb\nc"), 1000);
        assertEquals(10_003, got.size());
        assertEquals(Seen.of(10_000, "", 1, "a"), got.get(9_999));
        assertEquals(Seen.of(10_001, "long", 3_000_000, "y".repeat(1000)), got.get(10_000));
        assertEquals(List.of(Seen.of(10_002, "", 1, "b"), Seen.of(10_003, "", 1, "c")), got.subList(10_001, 10_003));
    }

    @Test
    void aLongLastLineIsCutWithOrWithoutANewline() throws IOException {
        String line = "z".repeat(2_000_000);
        List<Seen> expected = List.of(Seen.of(1, "", 1, "a"), Seen.of(2, "long", 2_000_000, "z".repeat(1000)));
        assertEquals(expected, seen(ascii("a\n" + line), 1000));
        assertEquals(expected, seen(ascii("a\n" + line + "\n"), 1000));
        assertEquals(expected, seen(ascii("a\n" + line + "\r\n"), 1000));
    }

    @Test
    void aLongLineInGzipIsCut() throws IOException {
        String line = "g".repeat(5_000_000);
        assertEquals(List.of(Seen.of(1, "", 1, "a"), Seen.of(2, "long", 5_000_000, "g".repeat(1000)),
                Seen.of(3, "", 1, "b")), seen(gzip(ascii("a\n" + line + "\nb\n")), 1000));
    }

    @Test
    void aLongLineOfWhitespaceIsBlank() throws IOException {
        assertEquals(List.of(Seen.of(1, "blank", 1_000_000, " ".repeat(1000)), Seen.of(2, "", 1, "b")),
                seen(ascii(" ".repeat(1_000_000) + "\nb\n"), 1000));
        assertEquals(List.of(Seen.of(1, "long", 1_000_001, " ".repeat(1000)), Seen.of(2, "", 1, "b")),
                seen(ascii(" ".repeat(1_000_000) + "x\nb\n"), 1000));
    }

    @Test
    void theKeptHeadDoesNotSplitACharacter() throws IOException {
        // 'é' is two bytes: the limit falls between them
        String line = "x".repeat(99) + "é".repeat(1000);
        assertEquals(List.of(Seen.of(1, "long", 99 + 2000, "x".repeat(99))), seen(
                line.getBytes(StandardCharsets.UTF_8), 100));
        String euro = "€".repeat(1000); // three bytes each
        assertEquals(List.of(Seen.of(1, "long", 3000, "€".repeat(33))), seen(euro.getBytes(StandardCharsets.UTF_8), 100));
        assertEquals(List.of(Seen.of(1, "long", 3000, "€".repeat(33))), seen(euro.getBytes(StandardCharsets.UTF_8), 101));
        assertEquals(List.of(Seen.of(1, "long", 3000, "€".repeat(34))), seen(euro.getBytes(StandardCharsets.UTF_8), 102));
    }

    @Test
    void aLongLineSpanningManyBlocksIsNeverHeldWhole() throws IOException {
        String line = "w".repeat(10_000_000);
        for (int block : new int[] {64, 4096}) {
            int[] largest = new int[1];
            List<Seen> got = seen(new Trickle(ascii("a\n" + line + "\nb\n" + line + "\nc"), block), 1000, block,
                    largest);
            assertEquals(List.of(Seen.of(1, "", 1, "a"), Seen.of(2, "long", 10_000_000, "w".repeat(1000)),
                    Seen.of(3, "", 1, "b"), Seen.of(4, "long", 10_000_000, "w".repeat(1000)), Seen.of(5, "", 1, "c")),
                    got, "block " + block);
            // a block grows to the limit and a little more (a BOM and a CR), never to the line
            assertTrue(largest[0] <= Math.max(block, 1000 + 8), "block " + block + ": largest array " + largest[0]);
        }
    }

    @Test
    void randomObjectsWithLongLinesAreCutTheSameWayWhateverTheReads() throws IOException {
        java.util.Random r = new java.util.Random(7);
        int max = 500;
        for (int round = 0; round < 40; round++) {
            StringBuilder text = new StringBuilder(round % 3 == 0 ? "\uFEFF" : "");
            List<Seen> expected = new ArrayList<>();
            int count = 1 + r.nextInt(200);
            for (int i = 1; i <= count; i++) {
                int len = switch (r.nextInt(8)) {
                    case 0 -> max - 2 + r.nextInt(5);
                    case 1 -> r.nextInt(100_000);
                    default -> r.nextInt(60);
                };
                String body = r.nextInt(20) == 0 ? " ".repeat(len) : "q".repeat(len);
                String flag = body.isBlank() ? "blank" : len > max ? "long" : "";
                expected.add(Seen.of(i, flag, len, body.substring(0, Math.min(len, max))));
                text.append(body);
                if (i < count || r.nextBoolean()) {
                    text.append(r.nextBoolean() ? "\r\n" : "\n");
                }
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            int block = new int[] {1, 7, 64, 4096, BLOCK}[round % 5];
            java.io.InputStream in = round % 4 == 0 ? LineBlocks.decoded(new ByteArrayInputStream(gzip(bytes)))
                    : new Trickle(bytes, r.nextLong());
            assertEquals(expected, seen(in, max, block, new int[1]), "round " + round);
        }
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
        LineBlocks blocks = new LineBlocks(failing, 100);
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
