package io.sessionlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC 2 with a line no heap could hold: a 1 GiB line without a newline between two valid events, in a
 * 256 MiB heap, through the CLI jar. The line is rejected as line_too_long with its first max-line-bytes
 * kept, and the events around it are processed. The object is gzip (a few megabytes on disk), written as a
 * stream: the test never holds the line either.
 */
class LongLineMemoryIT {
    private static final long LINE_BYTES = 1L << 30;
    private static final int MAX_LINE_BYTES = 1 << 20;

    @TempDir
    Path bucket;

    @Test
    void aOneGigabyteLineIsRejectedInA256MiBHeapAndTheEventsAroundItAreProcessed() throws Exception {
        Path object = bucket.resolve("events/huge-line.jsonl.gz");
        Files.createDirectories(object.getParent());
        String head = "{\"id\": 3, \"type\": \"page_view\", \"event\": {\"customer-id\": 1, \"page\": \"";
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(object), 1 << 16)) {
            out.write(event(1, "10:00:00").getBytes(StandardCharsets.UTF_8));
            out.write(head.getBytes(StandardCharsets.UTF_8));
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'x');
            long left = LINE_BYTES - head.length();
            while (left > 0) {
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                left -= n;
            }
            // no newline: the line runs into the next event, which becomes part of it
            out.write(event(2, "10:05:00").getBytes(StandardCharsets.UTF_8));
            out.write(event(4, "10:10:00").getBytes(StandardCharsets.UTF_8));
        }
        long lineBytes = LINE_BYTES + event(2, "10:05:00").length() - 1;

        Path jar = Path.of("target", "sessionlake-cli.jar").toAbsolutePath();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString(), "process", "--bucket", bucket.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run did not finish in time");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("events/huge-line.jsonl.gz: succeeded lines=3 accepted=2 anonymous=0 duplicate=0"
                + " late=0 rejected=1"), out);

        JsonNode rejected = new ObjectMapper().readTree(onlyFileUnder(bucket.resolve("rejected")).toFile());
        assertEquals(2, rejected.get("line_number").asLong());
        assertEquals("line_too_long", rejected.get("reason").asText());
        assertTrue(rejected.get("truncated").asBoolean());
        assertEquals(lineBytes, rejected.get("line_bytes").asLong());
        String raw = rejected.get("raw").asText();
        assertEquals(MAX_LINE_BYTES, raw.length());
        assertTrue(raw.startsWith(head + "xxxx"), raw.substring(0, 100));
    }

    private static String event(long id, String time) {
        return "{\"id\": " + id + ", \"type\": \"page_view\", \"event\": {\"customer-id\": 1, \"timestamp\": \"2022-04-20T"
                + time + "\"}}\n";
    }

    private static Path onlyFileUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }
}
