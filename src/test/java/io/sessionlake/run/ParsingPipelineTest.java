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
            assertEquals(1, b.lines[0].number());
            assertEquals(3, b.lines[1].number());
            assertTrue(b.lines[1].parsed().isRejected());
            assertNull(p.next());
        }
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
                IOException e = assertThrows(IOException.class, p::next);
                assertTrue(String.valueOf(e.getMessage()).contains("disk on fire"), e.getMessage());
            }
        });
    }
}
