package io.sessionlake.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.generator.FeedGenerator;
import io.sessionlake.run.Layout;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.testing.FakeLambdaRuntimeApi;
import io.sessionlake.testing.FakeLambdaRuntimeApi.Outcome;
import io.sessionlake.testing.ManagedJavaRuntime;
import io.sessionlake.testing.S3Server;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * target/function.zip run as AWS's managed Java runtime runs it ({@link ManagedJavaRuntime}: the runtime
 * interface client, Lambda's environment, the template's settings), fed by a fake Runtime API, against an
 * S3 protocol server. One processor process handles three S3 notifications, then a fresh api process serves
 * GET /metrics/orders twice. The tests check what came back, what is in the bucket and that every line the
 * function printed is JSON; the cold-start figures are printed (a line starting "cold-start:"), never asserted.
 */
class ManagedRuntimeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FUNCTION_ZIP = Path.of("target", "function.zip");
    private static final long INVOCATION_TIMEOUT_S = 120;

    /**
     * Lines allowed not to be JSON, each for a documented reason (README "Logs"). Anything else fails
     * {@link #everyLineTheFunctionPrintsIsJson}, so a new kind of line is noticed.
     */
    static final List<Pattern> NOT_JSON_BY_DESIGN = List.of(
            // The JVM prints this to stderr before any Java code runs when JAVA_TOOL_OPTIONS is set (the template
            // sets it); nothing in the function can suppress it (README "Logs").
            Pattern.compile("Picked up JAVA_TOOL_OPTIONS: .*"));

    @TempDir
    static Path tmp;

    private static ObjectStore bucket;
    private static String bucketName;
    private static final List<Long> lineCounts = new ArrayList<>();
    private static final List<Outcome> objectOutcomes = new ArrayList<>();
    private static final List<Outcome> metricsOutcomes = new ArrayList<>();
    private static Outcome ignoredOutcome;
    private static Outcome failedOutcome;
    private static final List<String> output = new ArrayList<>();
    private static java.time.Instant processorFirstPollAt;
    private static List<String> processorOutput = List.of();
    private static final List<Outcome> snapStartOutcomes = new ArrayList<>();
    private static java.time.Instant snapshotAt;
    private static List<String> snapStartOutput = List.of();
    private static final Map<String, String> figures = new LinkedHashMap<>();

    @BeforeAll
    static void runTheFunctions() throws Exception {
        assertTrue(Files.exists(FUNCTION_ZIP), "run `./mvnw package` first: " + FUNCTION_ZIP + " is missing");
        Path taskRoot = ManagedJavaRuntime.unzip(FUNCTION_ZIP, Files.createDirectories(tmp.resolve("task")));
        S3Server s3 = S3Server.shared();
        bucket = s3.newBucket("managed-runtime");
        bucketName = bucket.location().substring("s3://".length());

        FeedGenerator.Written feed = new FeedGenerator(new FeedGenerator.Options(200, 3, 1, 0.0, 0.0, 0, false, 7,
                LocalDate.of(2022, 4, 1), 1.5, 0.1)).writeTo(tmp.resolve("feed"));
        List<String> keys = new ArrayList<>();
        for (Path file : feed.files()) {
            String key = "events/" + file.getParent().getFileName() + "/" + file.getFileName();
            bucket.put(key, file, "application/x-ndjson");
            keys.add(key);
            try (var lines = Files.lines(file)) {
                lineCounts.add(lines.count());
            }
        }
        Map<String, String> overrides = Map.of(
                "SESSIONLAKE_BUCKET", bucketName,
                "SESSIONLAKE_S3_ENDPOINT", s3.endpoint().toString(),
                "SESSIONLAKE_S3_PATH_STYLE", "true",
                "AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY,
                "AWS_SESSION_TOKEN", "");

        try (FakeLambdaRuntimeApi api = new FakeLambdaRuntimeApi("processor");
                ManagedJavaRuntime fn = ManagedJavaRuntime.start(taskRoot, "ProcessorFunction", api.address(), overrides)) {
            figures.put("processor first poll", millis(awaitFirstPoll(api, fn) - fn.startedNanos()));
            processorFirstPollAt = api.firstPollAt();
            for (int i = 0; i < keys.size(); i++) {
                Outcome o = await(api.invoke(s3Notification(bucketName, keys.get(i)), INVOCATION_TIMEOUT_S * 1000), fn);
                objectOutcomes.add(o);
                figures.put("object " + (i + 1) + " (" + lineCounts.get(i) + " lines)", millis(o.nanos()));
            }
            figures.put("processor peak RSS", fn.peakRssKib() / 1024 + " MiB");
            // a notification the function ignores prints a record too (checked as JSON like the rest)
            ignoredOutcome = await(api.invoke(s3Notification(bucketName, "elsewhere/x.jsonl"), INVOCATION_TIMEOUT_S * 1000), fn);
            processorOutput = fn.stop();
            output.addAll(processorOutput);
        }

        try (FakeLambdaRuntimeApi api = new FakeLambdaRuntimeApi("api");
                ManagedJavaRuntime fn = ManagedJavaRuntime.start(taskRoot, "ApiFunction", api.address(), overrides)) {
            figures.put("api first poll", millis(awaitFirstPoll(api, fn) - fn.startedNanos()));
            for (int i = 0; i < 2; i++) {
                Outcome o = await(api.invoke(httpApiRequest("GET", "/metrics/orders"), 29_000), fn);
                metricsOutcomes.add(o);
                figures.put((i == 0 ? "first" : "second") + " GET /metrics/orders", millis(o.nanos()));
            }
            figures.put("api peak RSS", fn.peakRssKib() / 1024 + " MiB");
            output.addAll(fn.stop());
        }

        if (!ManagedJavaRuntime.NATIVE) {
            runUnderSnapStart(s3, keys, overrides);
        }

        // S3 unreachable: the run fails for a reason a retry can fix, so the invocation fails; what the
        // runtime prints about that failed invocation must be JSON too
        Map<String, String> unreachable = new LinkedHashMap<>(overrides);
        try (io.sessionlake.testing.RefusingPort refusing = new io.sessionlake.testing.RefusingPort();
                FakeLambdaRuntimeApi api = new FakeLambdaRuntimeApi("processor");
                ManagedJavaRuntime fn = ManagedJavaRuntime.start(taskRoot, "ProcessorFunction", api.address(),
                        withEndpoint(unreachable, refusing.endpoint()))) {
            awaitFirstPoll(api, fn);
            failedOutcome = await(api.invoke(s3Notification(bucketName, keys.get(0)), INVOCATION_TIMEOUT_S * 1000), fn);
            output.addAll(fn.stop());
        }
    }

    /**
     * Both functions under SnapStart's init (no snapshot is taken here: the process goes on after the hooks), on a
     * bucket of their own with the same objects: what a restored environment would do, less the restore itself.
     */
    private static void runUnderSnapStart(S3Server s3, List<String> keys, Map<String, String> overrides) throws Exception {
        Path taskRoot = tmp.resolve("task");
        ObjectStore snapBucket = s3.newBucket("managed-runtime-snapstart");
        String snapBucketName = snapBucket.location().substring("s3://".length());
        for (String key : keys) {
            snapBucket.put(key, bucket.read(key).orElseThrow().bytes(), "application/x-ndjson");
        }
        Map<String, String> snapOverrides = new LinkedHashMap<>(overrides);
        snapOverrides.put("SESSIONLAKE_BUCKET", snapBucketName);
        try (FakeLambdaRuntimeApi api = new FakeLambdaRuntimeApi("processor");
                ManagedJavaRuntime fn = ManagedJavaRuntime.start(taskRoot, "ProcessorFunction", api.address(), snapOverrides, true)) {
            long firstPoll = awaitFirstPoll(api, fn);
            figures.put("snapstart: processor init to snapshot", millis(api.restoreNext().getNow(firstPoll) - fn.startedNanos()));
            figures.put("snapstart: restore hooks to first poll", millis(firstPoll - api.restoreNext().getNow(firstPoll)));
            snapshotAt = api.restoreNextAt();
            for (int i = 0; i < keys.size(); i++) {
                Outcome o = await(api.invoke(s3Notification(snapBucketName, keys.get(i)), INVOCATION_TIMEOUT_S * 1000), fn);
                snapStartOutcomes.add(o);
                figures.put("snapstart: object " + (i + 1), millis(o.nanos()));
            }
            snapStartOutput = fn.stop();
        }
        try (FakeLambdaRuntimeApi api = new FakeLambdaRuntimeApi("api");
                ManagedJavaRuntime fn = ManagedJavaRuntime.start(taskRoot, "ApiFunction", api.address(), snapOverrides, true)) {
            long firstPoll = awaitFirstPoll(api, fn);
            figures.put("snapstart: api init to snapshot", millis(api.restoreNext().getNow(firstPoll) - fn.startedNanos()));
            for (int i = 0; i < 2; i++) {
                Outcome o = await(api.invoke(httpApiRequest("GET", "/metrics/orders"), 29_000), fn);
                figures.put("snapstart: " + (i == 0 ? "first" : "second") + " GET /metrics/orders", millis(o.nanos()));
            }
            fn.stop();
        }
    }

    @AfterAll
    static void printColdStartFigures() throws IOException {
        // what CloudWatch would have received, for reading after a failure
        Files.write(Path.of("target", "managed-runtime-output.log"), output);
        StringBuilder line = new StringBuilder("cold-start: function.zip under the managed Java runtime, ")
                .append(ManagedJavaRuntime.MEMORY_MB).append(" MB, ")
                .append(ManagedJavaRuntime.NATIVE ? "native bootstrap" : "java.home " + ManagedJavaRuntime.javaHome());
        figures.forEach((k, v) -> line.append(" | ").append(k).append(": ").append(v));
        System.out.println(line);
    }

    @Test
    void processorReportsEachObjectSucceededWithItsLineCount() throws Exception {
        assertEquals(3, objectOutcomes.size());
        for (int i = 0; i < objectOutcomes.size(); i++) {
            Outcome o = objectOutcomes.get(i);
            assertFalse(o.error(), o.body());
            JsonNode run = JSON.readTree(o.body()).get("runs").get(0);
            assertEquals("succeeded", run.get("outcome").asText(), o.body());
            JsonNode report = JSON.readTree(bucket.read(Layout.runReportKey(run.get("run_id").asText())).orElseThrow().bytes());
            assertEquals(lineCounts.get(i).longValue(), report.get("counts").get("lines").asLong(), report.toString());
            JsonNode c = report.get("counts");
            assertEquals(lineCounts.get(i).longValue(), c.get("accepted").asLong() + c.get("anonymous").asLong()
                    + c.get("duplicate").asLong() + c.get("late").asLong() + c.get("rejected").asLong(), report.toString());
            assertTrue(c.get("accepted").asLong() > 0, report.toString());
        }
    }

    @Test
    void processorWritesEveryOutputItsReportsNameToTheBucket() throws Exception {
        List<String> outputs = new ArrayList<>();
        for (Outcome o : objectOutcomes) {
            String runId = JSON.readTree(o.body()).get("runs").get(0).get("run_id").asText();
            JSON.readTree(bucket.read(Layout.runReportKey(runId)).orElseThrow().bytes()).get("outputs")
                    .forEach(k -> outputs.add(k.asText()));
        }
        assertTrue(outputs.stream().anyMatch(k -> k.startsWith("sessions/") && k.endsWith(".parquet")), outputs.toString());
        assertTrue(outputs.stream().anyMatch(k -> k.startsWith("clean_events/") && k.endsWith(".parquet")), outputs.toString());
        for (String key : outputs) {
            assertTrue(bucket.stat(key).orElseThrow(() -> new AssertionError("missing " + key)).size() > 0, key);
        }
        assertTrue(bucket.read(Layout.METRICS_KEY).isPresent(), "no " + Layout.METRICS_KEY);
    }

    @Test
    void apiServesTheMetricsTheProcessorWrote() throws Exception {
        Outcome first = metricsOutcomes.get(0);
        assertFalse(first.error(), first.body());
        JsonNode response = JSON.readTree(first.body());
        assertEquals(200, response.get("statusCode").asInt(), first.body());
        JsonNode served = JSON.readTree(response.get("body").asText());
        JsonNode stored = JSON.readTree(bucket.read(Layout.METRICS_KEY).orElseThrow().bytes());
        assertEquals(stored, served);
        assertTrue(served.get("sessions").asInt() > 0, served.toString());
    }

    /** Init is what SnapStart snapshots and what Lambda runs before the first event: the priming belongs there. */
    @Test
    void processorPrimesDuringInitBeforeItsFirstPoll() throws Exception {
        java.time.Instant primed = loggedAt(processorOutput, "primed at startup");
        assertTrue(primed.isBefore(processorFirstPollAt), "primed at " + primed + ", first poll at " + processorFirstPollAt);
    }

    /**
     * Under SnapStart the runtime calls the function's CRaC resource (bridged by -Dorg.crac.Core.Compat) before
     * the snapshot, and the restored function then processes the objects as an on-demand one does.
     */
    @Test
    void underSnapStartTheProcessorPrimesFurtherBeforeTheSnapshotAndThenRunsTheObjects() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(ManagedJavaRuntime.NATIVE, "the native variant has no SnapStart");
        java.time.Instant primed = loggedAt(snapStartOutput, "primed before the snapshot");
        assertTrue(primed.isBefore(snapshotAt), "primed at " + primed + ", snapshot at " + snapshotAt);
        assertEquals(objectOutcomes.size(), snapStartOutcomes.size());
        for (Outcome o : snapStartOutcomes) {
            assertFalse(o.error(), o.body());
            assertEquals("succeeded", JSON.readTree(o.body()).get("runs").get(0).get("outcome").asText(), o.body());
        }
    }

    /** The timestamp of the function's log record whose message starts with {@code message}. */
    private static java.time.Instant loggedAt(List<String> lines, String message) throws IOException {
        for (String line : lines) {
            if (line.startsWith("{")) {
                JsonNode n = JSON.readTree(line);
                if (n.path("message").asText().startsWith(message)) {
                    return java.time.Instant.parse(n.path("timestamp").asText());
                }
            }
        }
        throw new AssertionError("no log record '" + message + "':\n" + String.join("\n", lines));
    }

    @Test
    void ignoredNotificationIsOneRecordWithItsReason() throws Exception {
        assertFalse(ignoredOutcome.error(), ignoredOutcome.body());
        assertEquals(0, JSON.readTree(ignoredOutcome.body()).get("runs").size(), ignoredOutcome.body());
        List<JsonNode> ignored = records("ignored_record");
        assertEquals(1, ignored.size(), String.join("\n", output));
        assertEquals(ignoredOutcome.requestId(), ignored.get(0).path("request_id").asText());
        assertEquals("elsewhere/x.jsonl", ignored.get(0).path("key").asText());
        assertTrue(ignored.get(0).path("reason").asText().startsWith("outside the input prefix"), ignored.toString());
    }

    @Test
    void unreachableStorageFailsTheInvocationSoLambdaRetries() throws Exception {
        assertTrue(failedOutcome.error(), failedOutcome.body());
        List<JsonNode> failed = records("run").stream().filter(r -> r.path("outcome").asText().equals("failed")).toList();
        assertEquals(1, failed.size(), String.join("\n", output));
        assertEquals(failedOutcome.requestId(), failed.get(0).path("request_id").asText());
        assertEquals("ERROR", failed.get(0).path("level").asText());
        assertTrue(failed.get(0).path("retryable").asBoolean(), failed.get(0).toString());
        assertEquals("storage", failed.get(0).path("cause").asText(), failed.get(0).toString());
    }

    @Test
    void everyLineTheFunctionPrintsIsJson() {
        List<String> notJson = new ArrayList<>();
        for (String line : output) {
            if (line.isBlank() || NOT_JSON_BY_DESIGN.stream().anyMatch(p -> p.matcher(line).matches())) {
                continue;
            }
            try {
                if (!JSON.readTree(line).isObject()) {
                    notJson.add(line);
                }
            } catch (IOException e) {
                notJson.add(line);
            }
        }
        assertTrue(notJson.isEmpty(), notJson.size() + " of " + output.size() + " lines are not JSON objects:\n"
                + String.join("\n", notJson));
    }

    @Test
    void eachRunReportIsOneLogLineWithTheRequestId() throws Exception {
        List<JsonNode> reports = records("run").subList(0, objectOutcomes.size());
        for (int i = 0; i < reports.size(); i++) {
            assertEquals(objectOutcomes.get(i).requestId(), reports.get(i).path("request_id").asText(), reports.get(i).toString());
            assertEquals("INFO", reports.get(i).path("level").asText(), reports.get(i).toString());
            assertEquals("succeeded", reports.get(i).path("outcome").asText(), reports.get(i).toString());
            assertEquals(lineCounts.get(i).longValue(), reports.get(i).path("counts").path("lines").asLong());
        }
    }

    /**
     * One EMF record per run, failed ones included, that CloudWatch would turn into metrics: every metric it
     * declares is a top-level number, its dimension a top-level string; the values are the run report's.
     */
    @Test
    void eachRunPrintsOneEmbeddedMetricRecordWithTheReportsValues() throws Exception {
        List<JsonNode> runs = records("run");
        List<JsonNode> metrics = records("run_metrics");
        assertEquals(objectOutcomes.size() + 1, runs.size(), String.join("\n", output));
        assertEquals(runs.size(), metrics.size(), String.join("\n", output));
        for (int i = 0; i < metrics.size(); i++) {
            JsonNode m = metrics.get(i);
            JsonNode report = runs.get(i);
            JsonNode directive = m.at("/_aws/CloudWatchMetrics/0");
            assertTrue(m.at("/_aws/Timestamp").isIntegralNumber(), m.toString());
            assertEquals(1, m.at("/_aws/CloudWatchMetrics").size(), m.toString());
            assertEquals(RunMetricsLine.NAMESPACE, directive.path("Namespace").asText(), m.toString());
            assertEquals("[[\"" + RunMetricsLine.FUNCTION + "\"]]", directive.path("Dimensions").toString());
            // the function name the runtime gives (AWS_LAMBDA_FUNCTION_NAME, ManagedJavaRuntime)
            assertEquals("sessionlake-ProcessorFunction", m.path(RunMetricsLine.FUNCTION).asText(), m.toString());
            List<String> declared = new ArrayList<>();
            for (JsonNode metric : directive.path("Metrics")) {
                declared.add(metric.path("Name").asText());
                assertTrue(m.path(metric.path("Name").asText()).isNumber(), metric + " in " + m);
            }
            assertEquals(report.path("request_id").asText(), m.path("request_id").asText(), m.toString());
            assertEquals(report.path("run_id").asText(), m.path("run_id").asText(), m.toString());
            boolean failed = report.path("outcome").asText().equals("failed");
            assertEquals(List.of(failed ? 0L : 1L, failed ? 1L : 0L, 0L), List.of(
                    m.path(RunMetricsLine.RUNS_SUCCEEDED).asLong(), m.path(RunMetricsLine.RUNS_FAILED).asLong(),
                    m.path(RunMetricsLine.RUNS_SKIPPED).asLong()), m.toString());
            JsonNode c = report.path("counts");
            assertEquals(List.of(c.path("lines").asLong(), c.path("accepted").asLong(), c.path("anonymous").asLong(),
                    c.path("duplicate").asLong(), c.path("late").asLong(), c.path("rejected").asLong(),
                    report.at("/sessions_written/revisions").asLong() + report.at("/sessions_written/tombstones").asLong()),
                    List.of(m.path(RunMetricsLine.LINES).asLong(), m.path(RunMetricsLine.ACCEPTED).asLong(),
                            m.path(RunMetricsLine.ANONYMOUS).asLong(), m.path(RunMetricsLine.DUPLICATE).asLong(),
                            m.path(RunMetricsLine.LATE).asLong(), m.path(RunMetricsLine.REJECTED).asLong(),
                            m.path(RunMetricsLine.REVISIONS).asLong()), m.toString());
            if (!failed) {
                assertTrue(m.path(RunMetricsLine.LINES).asLong() > 0, m.toString());
                assertTrue(m.path(RunMetricsLine.STATE_SIZE).asLong() > 0, m.toString());
                assertEquals(report.path("state_size_bytes").asLong(), m.path(RunMetricsLine.STATE_SIZE).asLong());
            }
            assertEquals(failed, !declared.contains(RunMetricsLine.STATE_SIZE), m.toString());
        }
        // the last run that committed (the failed one did not) reports the size of the state it wrote as stored: the
        // manifest and the packs holding the leaves it names (with the replaced leaves still in them)
        byte[] manifest = bucket.read(Layout.STATE_KEY).orElseThrow().bytes();
        assertEquals(manifest.length + io.sessionlake.session.ManifestLeaves.packBytes(bucket),
                metrics.get(objectOutcomes.size() - 1).path(RunMetricsLine.STATE_SIZE).asLong());
    }

    @Test
    void eachApiRequestIsOneLogLineWithTheRequestId() throws Exception {
        List<JsonNode> requests = records("api_request");
        assertEquals(metricsOutcomes.size(), requests.size(), String.join("\n", output));
        for (int i = 0; i < requests.size(); i++) {
            assertEquals(metricsOutcomes.get(i).requestId(), requests.get(i).path("request_id").asText());
            assertEquals(200, requests.get(i).path("status").asInt(), requests.get(i).toString());
        }
    }

    @Test
    void librariesPrintOnlyWarningsAndErrors() throws Exception {
        List<String> chatter = new ArrayList<>();
        for (String line : output) {
            if (line.startsWith("{")) {
                JsonNode n = JSON.readTree(line);
                String logger = n.path("loggerName").asText();
                boolean library = logger.startsWith("org.apache.hadoop") || logger.startsWith("org.apache.parquet")
                        || logger.startsWith("software.amazon.awssdk");
                if (library && !(n.path("level").asText().equals("WARN") || n.path("level").asText().equals("ERROR"))) {
                    chatter.add(line);
                }
            }
        }
        assertTrue(chatter.isEmpty(), String.join("\n", chatter));
    }

    /** The printed lines that are records of one kind ("log": kind), in order. */
    private static List<JsonNode> records(String kind) throws IOException {
        List<JsonNode> found = new ArrayList<>();
        for (String line : output) {
            if (line.startsWith("{")) {
                JsonNode n = JSON.readTree(line);
                if (kind.equals(n.path("log").asText())) {
                    found.add(n);
                }
            }
        }
        return found;
    }

    private static long awaitFirstPoll(FakeLambdaRuntimeApi api, ManagedJavaRuntime fn) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(INVOCATION_TIMEOUT_S);
        while (System.nanoTime() < deadline) {
            if (api.initError().isDone()) {
                throw new AssertionError("init failed: " + api.initError().get() + "\n" + fn.outputText());
            }
            if (!fn.isAlive()) {
                throw new AssertionError("the function exited during init:\n" + fn.outputText());
            }
            if (api.firstPoll().isDone()) {
                return api.firstPoll().get();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no poll for an event within " + INVOCATION_TIMEOUT_S + " s:\n" + fn.outputText());
    }

    private static Outcome await(java.util.concurrent.CompletableFuture<Outcome> outcome, ManagedJavaRuntime fn)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(INVOCATION_TIMEOUT_S);
        while (System.nanoTime() < deadline) {
            if (outcome.isDone()) {
                return outcome.get();
            }
            if (!fn.isAlive()) {
                throw new AssertionError("the function exited during an invocation:\n" + fn.outputText());
            }
            Thread.sleep(2);
        }
        throw new AssertionError("no response within " + INVOCATION_TIMEOUT_S + " s:\n" + fn.outputText());
    }

    private static Map<String, String> withEndpoint(Map<String, String> env, String s3Endpoint) {
        env.put("SESSIONLAKE_S3_ENDPOINT", s3Endpoint);
        return env;
    }

    private static String millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
    }

    /** An S3 ObjectCreated notification as S3 sends it: keys URL-encoded, '+' for a space. */
    static String s3Notification(String bucketName, String key) throws IOException {
        Map<String, Object> s3 = new LinkedHashMap<>();
        s3.put("s3SchemaVersion", "1.0");
        s3.put("bucket", Map.of("name", bucketName, "arn", "arn:aws:s3:::" + bucketName));
        s3.put("object", Map.of("key", URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"),
                "size", 1, "eTag", "x"));
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("eventVersion", "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", "us-east-1");
        record.put("eventTime", "2022-04-01T00:00:00.000Z");
        record.put("eventName", "ObjectCreated:Put");
        record.put("s3", s3);
        return JSON.writeValueAsString(Map.of("Records", List.of(record)));
    }

    /** An API Gateway HTTP API event, payload format 2.0. */
    static String httpApiRequest(String method, String path) throws IOException {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", path);
        event.put("rawQueryString", "");
        event.put("headers", Map.of("accept", "application/json"));
        event.put("requestContext", Map.of("http", Map.of("method", method, "path", path, "protocol", "HTTP/1.1",
                "sourceIp", "192.0.2.1", "userAgent", "curl/8"), "stage", "$default", "requestId", "abc="));
        event.put("isBase64Encoded", false);
        return JSON.writeValueAsString(event);
    }
}
