package io.sessionlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.testing.Buckets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local main job as a user meets it: commands, exit codes and messages. */
class MainTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void processPrintsOneLinePerObjectAndMetricsPrintsTheMetrics() throws Exception {
        Buckets.copyGolden(tmp);
        Result r = run("process", "--bucket", tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(3, r.out().lines().filter(l -> l.contains(": succeeded")).count(), r.out());
        Result m = run("metrics", "--bucket", tmp.toString());
        JsonNode metrics = new ObjectMapper().readTree(m.out());
        assertEquals(10, metrics.get("sessions").asInt());
    }

    @Test
    void processAgainSkipsEverything() throws Exception {
        Buckets.copyGolden(tmp);
        run("process", "--bucket", tmp.toString());
        Result again = run("process", "--bucket", tmp.toString());
        assertEquals(0, again.code());
        assertEquals(3, again.out().lines().filter(l -> l.contains("skipped_already_processed")).count(), again.out());
    }

    @Test
    void failedObjectGivesExitCodeOne() throws Exception {
        Files.createDirectories(tmp.resolve("events"));
        Files.write(tmp.resolve("events/bad.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0});
        Result r = run("process", "--bucket", tmp.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("corrupt gzip"), r.out());
    }

    @Test
    void missingBucketFolderIsAClearErrorWithoutStackTrace() {
        Result r = run("process", "--bucket", tmp.resolve("nope").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("does not exist"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void unknownOptionIsRefused() {
        Result r = run("process", "--bucket", tmp.toString(), "--inactivty", "PT10M");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown option --inactivty"), r.err());
    }

    @Test
    void malformedDurationIsExplained() {
        Result r = run("process", "--bucket", tmp.toString(), "--inactivity", "30m");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("ISO-8601 duration"), r.err());
    }

    @Test
    void anEmptyInputPrefixIsAConfigurationError() throws Exception {
        Buckets.copyGolden(tmp);
        Result r = run("process", "--bucket", tmp.toString(), "--input-prefix", "");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("configuration error: --input-prefix is empty"), r.err());
        assertEquals("", r.out(), "nothing is processed");
    }

    @Test
    void aNegativeStateCacheIsAConfigurationErrorAndZeroProcessesAsUsual() throws Exception {
        Buckets.copyGolden(tmp);
        Result r = run("process", "--bucket", tmp.toString(), "--state-cache-bytes", "-1");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("configuration error: --state-cache-bytes is -1"), r.err());
        assertEquals("", r.out(), "nothing is processed");
        Result none = run("process", "--bucket", tmp.toString(), "--state-cache-bytes", "0");
        assertEquals(0, none.code(), none.err());
        assertEquals(3, none.out().lines().filter(l -> l.contains(": succeeded")).count(), none.out());
    }

    @Test
    void anInputPrefixWithoutTrailingSlashIsAConfigurationError() throws Exception {
        Buckets.copyGolden(tmp);
        Result r = run("process", "--bucket", tmp.toString(), "--input-prefix", "events");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("configuration error: --input-prefix 'events' does not end with '/'"), r.err());
        assertEquals("", r.out(), "nothing is processed");
    }

    @Test
    void anInputPrefixOverlappingAnOutputIsAConfigurationError() throws Exception {
        Buckets.copyGolden(tmp);
        Result r = run("process", "--bucket", tmp.toString(), "--input-prefix", "state/");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("configuration error: --input-prefix 'state/' overlaps the output prefix state/"),
                r.err());
        assertEquals("", r.out(), "nothing is processed");
    }

    @Test
    void unknownCommandPrintsUsage() {
        Result r = run("frobnicate");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("usage:"), r.err());
    }

    @Test
    void generateWritesTheRequestedShape() throws Exception {
        Result r = run("generate", "--out", tmp.toString(), "--customers", "5", "--days", "2", "--files-per-day", "3",
                "--gzip", "--bad-lines", "2", "--seed", "1");
        assertEquals(0, r.code(), r.err());
        try (var files = Files.walk(tmp)) {
            assertEquals(6, files.filter(p -> p.toString().endsWith(".jsonl.gz")).count());
        }
    }

    @Test
    void generatedFeedIsDeterministicForASeed() throws Exception {
        run("generate", "--out", tmp.resolve("a").toString(), "--customers", "5", "--seed", "3");
        run("generate", "--out", tmp.resolve("b").toString(), "--customers", "5", "--seed", "3");
        String name = "2022-04-01/part-000.jsonl";
        assertEquals(Files.readString(tmp.resolve("a").resolve(name)), Files.readString(tmp.resolve("b").resolve(name)));
    }

    @Test
    void demoProcessesTheBundledSampleAndPrintsMetrics() throws Exception {
        Path bucket = tmp.resolve("demo");
        Result r = run("demo", "--bucket", bucket.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("median_visits_before_order"), r.out());
        assertTrue(Files.exists(bucket.resolve("metrics/orders.json")));
        assertTrue(r.out().contains("late="), r.out());
    }
}
