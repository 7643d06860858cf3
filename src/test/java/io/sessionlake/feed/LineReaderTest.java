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
                        + new String(r.buffer(), 0, Math.min(r.length(), 20), StandardCharsets.UTF_8));
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
