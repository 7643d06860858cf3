package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import io.sessionlake.feed.RejectReason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The reader thread hands over every line, and any failure of it reaches the caller instead of a hang. */
class ParsingPipelineTest {

    @Test
    void linesArriveInOrderWithTheirNumbers() throws Exception {
        String text = "{\"id\": 1}\n\nnot json\n";
        try (ParsingPipeline p = new ParsingPipeline(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                1000, t -> false, "t")) {
            ParsingPipeline.Batch b = p.next();
            assertEquals(2, b.size);
            assertEquals(1, b.numbers[0]);
            assertEquals(3, b.numbers[1]);
            assertTrue(b.parsed[1].isRejected());
            assertNull(p.next());
        }
    }

    @Test
    void manyChunksOverSeveralParsersArriveInObjectOrder() throws Exception {
        StringBuilder text = new StringBuilder();
        int lines = 20_000;
        for (int i = 1; i <= lines; i++) {
            if (i % 997 == 0) {
                text.append("   \n"); // blank: not handed over, but counted in the numbering
            } else if (i % 13 == 0) {
                text.append("{\"id\": ").append(i).append(", \"broken\n");
            } else if (i % 4001 == 0) {
                text.append("x".repeat(300)).append('\n'); // longer than the limit below
            } else {
                text.append("{\"id\": ").append(i).append(", \"type\": \"page_view\", \"event\": {\"customer-id\": ")
                        .append(i % 50).append(", \"timestamp\": \"2022-04-01T10:00:00\"}}\n");
            }
        }
        long expected = 1;
        try (ParsingPipeline p = new ParsingPipeline(new ByteArrayInputStream(text.toString().getBytes(
                StandardCharsets.UTF_8)), 200, t -> false, "t", 3)) {
            for (ParsingPipeline.Batch b = p.next(); b != null; b = p.next()) {
                for (int i = 0; i < b.size; i++) {
                    if (expected % 997 == 0) {
                        expected++;
                    }
                    assertEquals(expected, b.numbers[i]);
                    if (expected % 13 == 0) {
                        assertEquals(RejectReason.INVALID_JSON, b.parsed[i].rejection());
                    } else if (expected % 4001 == 0) {
                        assertEquals(RejectReason.LINE_TOO_LONG, b.parsed[i].rejection());
                        assertEquals(300, ((io.sessionlake.feed.ParsedLine.TooLong) b.parsed[i]).lineBytes());
                        assertEquals("x".repeat(200), new String(b.raw(i), StandardCharsets.UTF_8),
                                "the first max-line-bytes are kept");
                    } else {
                        assertEquals(expected, b.parsed[i].event().id());
                    }
                    expected++;
                }
            }
        }
        assertEquals(lines + 1, expected);
    }

    @Test
    void aFailureAfterSomeChunksComesAfterTheirLines() {
        byte[] good = "{\"id\": 1, \"type\": \"search\", \"event\": {\"customer-id\": 7, \"timestamp\": \"2022-04-01T10:00:00\"}}\n"
                .repeat(10_000).getBytes(StandardCharsets.UTF_8);
        InputStream failsLate = new InputStream() {
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos == good.length) {
                    throw new IOException("connection reset");
                }
                int n = Math.min(len, good.length - pos);
                System.arraycopy(good, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (ParsingPipeline p = new ParsingPipeline(failsLate, 1000, t -> false, "t", 2)) {
                long seen = 0;
                IOException e = null;
                try {
                    for (ParsingPipeline.Batch b = p.next(); b != null; b = p.next()) {
                        seen += b.size;
                    }
                } catch (IOException failure) {
                    e = failure;
                }
                assertEquals(10_000, seen, "every line before the failure is handed over first");
                assertTrue(e != null && e.getMessage().contains("connection reset"), String.valueOf(e));
            }
        });
    }

    @Test
    void closingEarlyStopsEveryThread() {
        byte[] many = "{\"id\": 1}\n".repeat(200_000).getBytes(StandardCharsets.UTF_8);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            ParsingPipeline p = new ParsingPipeline(new ByteArrayInputStream(many), 1000, t -> false, "early", 2);
            p.next();
            p.close();
            Thread.sleep(50);
            assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(
                    t -> t.getName().endsWith("-early") && t.isAlive()), "reader and parsers have stopped");
        });
    }

    @Test
    void anErrorInTheReaderReachesTheCaller() {
        InputStream broken = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("disk on fire");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                throw new AssertionError("disk on fire");
            }
        };
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (ParsingPipeline p = new ParsingPipeline(broken, 1000, t -> false, "t")) {
                // handed over as what it is: an Error disguised as an IOException would read as a storage failure
                AssertionError e = assertThrows(AssertionError.class, p::next);
                assertEquals("disk on fire", e.getMessage());
            }
        });
    }
}
