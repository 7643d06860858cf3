package io.sessionlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main-job command as a user runs it: `java -jar target/sessionlake-cli.jar demo`, the built
 * jar in a JVM of its own, without the test classpath. Catches a jar that misses a class or a service file.
 */
class CliJarIT {
    private static final Path JAR = Path.of("target", "sessionlake-cli.jar");

    @TempDir
    Path tmp;

    private record Result(int code, String out) {
    }

    private static Result run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the jar did not finish in time");
        return new Result(p.exitValue(), out);
    }

    @Test
    void demoRunsFromThePlainJarAndWritesMetrics() throws Exception {
        Result r = run(tmp, "demo");
        assertEquals(0, r.code(), r.out());
        JsonNode metrics = new ObjectMapper().readTree(tmp.resolve("local-bucket/metrics/orders.json").toFile());
        assertTrue(metrics.get("sessions").asInt() > 0, metrics.toString());
        assertTrue(metrics.get("purchasing_customers").asInt() > 0, metrics.toString());
        try (var files = Files.walk(tmp.resolve("local-bucket/sessions"))) {
            assertTrue(files.anyMatch(f -> f.toString().endsWith(".parquet")));
        }
    }

    @Test
    void wrongBucketFromThePlainJarIsAOneLineError() throws Exception {
        Result r = run(tmp, "process", "--bucket", "no-such-folder");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().startsWith("error: process: bucket folder no-such-folder does not exist"), r.out());
    }
}
