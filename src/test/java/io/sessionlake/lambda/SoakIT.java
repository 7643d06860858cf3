package io.sessionlake.lambda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sessionlake.generator.FeedGenerator;
import io.sessionlake.run.Layout;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.store.S3Store;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.CpuBurners;
import io.sessionlake.testing.Downloads;
import io.sessionlake.testing.DuckDb;
import io.sessionlake.testing.S3Server;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several hundred small objects through two S3-triggered functions and the API at once, on an S3 protocol
 * server, beside a CPU-burning neighbour per core. The feed has duplicates across objects, late events and
 * malformed lines; some objects are delivered twice, at once or later; the API processes some objects ahead
 * of or beside their S3 events and reads the metrics meanwhile. The handlers are driven as Lambda drives them
 * (an invocation that throws is retried twice, then dead-lettered; a 503 from POST /runs is retried by the
 * caller). Promise: no run fails, not even once on the way (a run that loses the commit race redoes its work;
 * after three losses it claims the commit turn and the others let it commit); every line is accounted for in the reports and under rejected/; and the bucket ends
 * exactly as one uninterrupted run over the objects in the order they committed (late and duplicate depend on
 * the order, so that order is the reference's; computed with the local pipeline into a folder): the same
 * outputs byte for byte, under the same names but for the run id, the same current sessions
 * through DuckDB, the same metrics. Run alone: see README, "Soak test".
 */
class SoakIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DAYS = 30;
    private static final int FILES_PER_DAY = 10;
    /** What Lambda does with a failed asynchronous invocation: two retries, then the dead-letter queue. */
    private static final int LAMBDA_ATTEMPTS = 3;
    /** A caller of POST /runs retries a 503 (README) after a short random pause, this many times in all. */
    private static final int API_ATTEMPTS = 20;
    private static final String[] OUTPUTS = {"sessions/", "clean_events/", "rejected/"};
    /** The run id in an output's name (Layout: r<revision>-<run id>, a state pack pack-r<revision>-<run id>). */
    private static final Pattern RUN_ID_IN_NAME = Pattern.compile("[/-]r[0-9]{12}-([0-9a-f]{20})\\.");
    /** Far above the 1-3 minutes the soak takes on a busy 2-core machine: reaching it means something hangs. */
    private static final Duration TIME_LIMIT = Duration.ofMinutes(8);

    @TempDir
    Path tmp;

    /** One input object: its key, its bytes as uploaded, and its lines (before any gzip) for accounting. */
    record Input(String key, byte[] bytes, List<byte[]> lines) {
    }

    /** One S3 notification for one key, and which Lambda attempt this is. */
    record Delivery(String key, int attempt) {
    }

    @Test
    void racingFunctionsAndApiCallsUnderLoadEndAsOneUninterruptedRun() throws Exception {
        S3Server server = S3Server.shared();
        String bucketName = bucketName(server.newBucket("soak"));
        List<Input> inputs = feed(new Random(20261129));
        S3Store uploader = new S3Store(server.client(), bucketName);
        for (Input in : inputs) {
            uploader.put(in.key(), in.bytes(), "application/x-ndjson");
        }
        long fedLines = inputs.stream().mapToLong(in -> in.lines().size()).sum();

        Soak soak = new Soak(server, bucketName, inputs);
        ByteArrayOutputStream functionOutput = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        soak.run(functionOutput);
        long soakMillis = (System.nanoTime() - t0) / 1_000_000;
        Path log = Path.of("target", "soak-output.log");
        Files.createDirectories(log.getParent());
        Files.write(log, functionOutput.toByteArray());

        // 1. no run failed: nothing dead-lettered, no invocation Lambda had to retry, no POST /runs answered anything
        //    but 200 (racing runs redo their work after a lost commit race, within the attempt limit)
        assertEquals(List.of(), soak.deadLetters, "invocations Lambda would have dead-lettered");
        assertEquals(List.of(), soak.failedRuns, "failed runs (see " + log + ")");
        assertEquals(List.of(), soak.apiProblems, "API answers");
        assertEquals(Map.of(), soak.apiRetriedCauses, "POST /runs answered 503 (by cause)");
        assertEquals(List.of(), soak.thrown, "invocations that threw (Lambda would have retried them)");
        LogSummary printed = LogSummary.of(functionOutput);
        assertTrue(printed.runs() > 0, "the processors printed run_metrics lines");
        assertEquals(0, printed.failed(), "failed runs in the run_metrics lines: " + printed.failedByCause());
        assertTrue(printed.redone() + soak.redoneAttempts.get() > 0,
                "runs raced for the state commit (else the soak tests no race)");

        // 2. one report per object, succeeded, its counts adding up to the object's lines
        Map<String, ObjectNode> reports = reportsByKey(uploader);
        assertEquals(inputs.stream().map(Input::key).sorted().toList(), new ArrayList<>(reports.keySet()),
                "one run report per object");
        long[] totals = new long[6];
        for (Input in : inputs) {
            ObjectNode r = reports.get(in.key());
            assertEquals("succeeded", r.path("outcome").asText(), r.toString());
            JsonNode c = r.path("counts");
            assertEquals(in.lines().size(), c.path("lines").asLong(), "lines of " + in.key());
            long outcomes = c.path("accepted").asLong() + c.path("anonymous").asLong() + c.path("duplicate").asLong()
                    + c.path("late").asLong() + c.path("rejected").asLong();
            assertEquals(in.lines().size(), outcomes, "outcomes of " + in.key() + ": " + c);
            int i = 0;
            for (String f : List.of("lines", "accepted", "anonymous", "duplicate", "late", "rejected")) {
                totals[i++] += c.path(f).asLong();
            }
        }
        assertEquals(fedLines, totals[0], "lines counted over all objects");
        assertEquals(fedLines, totals[1] + totals[2] + totals[3] + totals[4] + totals[5], "every line has one outcome");

        // 3. every late and rejected line is under rejected/, verbatim, once
        assertRejectedLinesKeptVerbatim(uploader, inputs, reports);

        // 4. the same objects, one after the other in the order they committed, through the local pipeline into a
        //    folder. Local ETags differ from S3's, and so do run ids and the output names made of them: the
        //    reference's names are compared under the soak's run id of the same object.
        List<String> committedOrder = reports.values().stream()
                .sorted((a, b) -> Long.compare(a.path("state_sequence").asLong(), b.path("state_sequence").asLong()))
                .map(r -> r.path("input").path("key").asText()).toList();
        assertEquals(inputs.size(), reports.values().stream().map(r -> r.path("state_sequence").asLong()).distinct().count(),
                "every object committed its own state revision");
        Path referenceDir = tmp.resolve("reference");
        LocalFolderStore reference = new LocalFolderStore(referenceDir);
        for (Input in : inputs) {
            reference.put(in.key(), in.bytes(), "application/x-ndjson");
        }
        long t1 = System.nanoTime();
        ObjectProcessor alone = new ObjectProcessor(reference, RunSettings.defaults(), Clock.systemUTC());
        for (String key : committedOrder) {
            RunReport r = alone.process(key);
            assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), key + ": " + r.error());
        }
        long referenceMillis = (System.nanoTime() - t1) / 1_000_000;
        Map<String, ObjectNode> expected = reportsByKey(reference);
        Map<String, String> soakRunIds = new HashMap<>();
        for (Input in : inputs) {
            soakRunIds.put(expected.get(in.key()).path("run_id").asText(), reports.get(in.key()).path("run_id").asText());
        }
        UnaryOperator<String> asSoaked = key -> {
            Matcher m = RUN_ID_IN_NAME.matcher(key);
            assertTrue(m.find(), key);
            return key.substring(0, m.start(1)) + soakRunIds.get(m.group(1)) + key.substring(m.end(1));
        };
        for (Input in : inputs) {
            for (String f : List.of("counts", "rejected_by_reason", "state_sequence")) {
                assertEquals(expected.get(in.key()).get(f), reports.get(in.key()).get(f), f + " of " + in.key());
            }
            List<String> outputs = new ArrayList<>();
            expected.get(in.key()).path("outputs").forEach(k -> outputs.add(asSoaked.apply(k.asText())));
            List<String> soakedOutputs = new ArrayList<>();
            reports.get(in.key()).path("outputs").forEach(k -> soakedOutputs.add(k.asText()));
            assertEquals(outputs, soakedOutputs, "outputs of " + in.key());
        }
        assertSameCurrentSessionsAndEvents(referenceDir, uploader);
        TreeMap<String, byte[]> want = new TreeMap<>();
        Buckets.outputs(reference, OUTPUTS).forEach((k, v) -> want.put(asSoaked.apply(k), v));
        TreeMap<String, byte[]> got = Buckets.outputs(uploader, OUTPUTS);
        assertEquals(want.keySet(), got.keySet(), "output objects (a leftover of an attempt that did not commit?)");
        // every output byte for byte: a retry rewrites the same bytes (README). Parquet files that differ are kept
        // under target/soak-differing-bytes/ to be read row by row and chunk by chunk (their rows are compared above)
        List<String> differingBytes = new ArrayList<>();
        for (Map.Entry<String, byte[]> w : want.entrySet()) {
            if (!java.util.Arrays.equals(w.getValue(), got.get(w.getKey()))) {
                differingBytes.add(w.getKey());
                Path dir = Path.of("target", "soak-differing-bytes");
                Files.createDirectories(dir);
                String name = w.getKey().replace('/', '_');
                Files.write(dir.resolve("reference_" + name), w.getValue());
                Files.write(dir.resolve("soak_" + name), got.get(w.getKey()));
            }
        }
        assertEquals(List.of(), differingBytes,
                "outputs whose bytes differ from the reference's (both kept under target/soak-differing-bytes/)");
        assertEquals(metricsWithoutClock(reference), metricsWithoutClock(uploader), Layout.METRICS_KEY);

        for (int i = 1; i < totals.length; i++) {
            assertTrue(totals[i] > 0, "the feed exercised every outcome: " + java.util.Arrays.toString(totals));
        }
        System.out.printf("soak: %d objects, %d lines (%d accepted, %d anonymous, %d duplicate, %d late, %d rejected);"
                + " %d S3 invocations, %d of them Lambda retries after a run failed of commit_race; %d POST /runs, %d of"
                + " them retries after a 503; %d GET /metrics/orders; %d attempts redone after a lost commit race, at most"
                + " %d attempts for one object (limit %d);"
                + " %d ms on %d cores; the uninterrupted reference %d ms%n", inputs.size(), fedLines, totals[1], totals[2],
                totals[3], totals[4], totals[5], soak.invocations.get(), soak.lambdaRetries.get(), soak.apiPosts.get(),
                soak.apiRetries.get(), soak.metricsReads.get(), soak.redoneAttempts.get() + printed.redone(),
                reports.values().stream().mapToInt(r -> r.path("attempts").asInt()).max().orElse(0),
                RunSettings.defaults().maxCommitAttempts(), soakMillis,
                Runtime.getRuntime().availableProcessors(), referenceMillis);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The feed

    /**
     * FeedGenerator's days cut into small objects (duplicates redelivered in the next day's objects, late events
     * 8 to 10 days back), plus malformed lines of every kind in every seventh object, one of them not UTF-8;
     * every fifth object gzip-compressed.
     */
    private List<Input> feed(Random random) throws IOException {
        Path dir = tmp.resolve("feed");
        FeedGenerator.Written written = new FeedGenerator(new FeedGenerator.Options(24, DAYS, FILES_PER_DAY, 0.03, 0.04,
                0, false, 9, LocalDate.of(2022, 4, 1), 1.4, 0.1)).writeTo(dir);
        List<byte[]> bad = List.of(
                "not json at all".getBytes(StandardCharsets.UTF_8),
                "{\"id\": 1, \"type\": \"page_view\", \"event\": {\"customer-id\": 5, \"timestamp\": \"2022-04-2"
                        .getBytes(StandardCharsets.UTF_8),
                "{\"id\": \"x\", \"type\": \"page_view\", \"event\": {\"customer-id\": 5, \"timestamp\": \"2022-04-01T00:00:00\"}}"
                        .getBytes(StandardCharsets.UTF_8),
                "{\"id\": 7, \"type\": \"page_view\", \"event\": {\"customer-id\": 5, \"timestamp\": \"yesterday\"}}"
                        .getBytes(StandardCharsets.UTF_8),
                "{\"id\": 8, \"event\": {\"customer-id\": 5, \"timestamp\": \"2022-04-01T00:00:00\"}}"
                        .getBytes(StandardCharsets.UTF_8),
                new byte[] {'{', '"', 'i', 'd', '"', ':', ' ', (byte) 0xff, (byte) 0xfe, '}'});
        List<Path> files = new ArrayList<>(written.files());
        Collections.sort(files);
        List<Input> inputs = new ArrayList<>();
        for (int n = 0; n < files.size(); n++) {
            List<byte[]> lines = new ArrayList<>();
            for (String line : Files.readAllLines(files.get(n), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    lines.add(line.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (n % 7 == 3) {
                lines.add(random.nextInt(lines.size() + 1), bad.get(random.nextInt(bad.size())));
                lines.add(random.nextInt(lines.size() + 1), bad.get(random.nextInt(bad.size())));
            }
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            for (byte[] line : lines) {
                text.write(line);
                text.write('\n');
            }
            String key = "events/" + dir.relativize(files.get(n)).toString().replace('\\', '/');
            byte[] bytes = text.toByteArray();
            if (n % 5 == 1) {
                key += ".gz";
                ByteArrayOutputStream gz = new ByteArrayOutputStream();
                try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                    out.write(bytes);
                }
                bytes = gz.toByteArray();
            }
            inputs.add(new Input(key, bytes, lines));
        }
        return inputs;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The soak: two processor functions, one API function, a CPU burner per core

    /** What the functions and their callers saw; read after every thread has ended. */
    private static final class Soak {
        private final S3Server server;
        private final String bucket;
        private final List<Input> inputs;
        final List<String> deadLetters = Collections.synchronizedList(new ArrayList<>());
        final List<String> failedRuns = Collections.synchronizedList(new ArrayList<>());
        final List<String> apiProblems = Collections.synchronizedList(new ArrayList<>());
        /** Messages of the invocations that threw, so that Lambda retried them. */
        final List<String> thrown = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger invocations = new AtomicInteger();
        /** The highest index (in key order) of an object whose S3 event a function has taken. */
        private final AtomicInteger frontier = new AtomicInteger(-1);
        private final Map<String, Integer> indexOf = new HashMap<>();
        final AtomicInteger lambdaRetries = new AtomicInteger();
        final AtomicInteger apiPosts = new AtomicInteger();
        final AtomicInteger apiRetries = new AtomicInteger();
        /** Causes of the failed runs in the 503 answers the caller retried. */
        final Map<String, Long> apiRetriedCauses = new java.util.concurrent.ConcurrentHashMap<>();
        final AtomicInteger metricsReads = new AtomicInteger();
        final AtomicInteger redoneAttempts = new AtomicInteger();

        Soak(S3Server server, String bucket, List<Input> inputs) {
            this.server = server;
            this.bucket = bucket;
            this.inputs = inputs;
            for (int n = 0; n < inputs.size(); n++) {
                indexOf.put(inputs.get(n).key(), n);
            }
        }

        void run(OutputStream functionOutput) throws Exception {
            BlockingQueue<Delivery> queue = new LinkedBlockingQueue<>(deliveries());
            AtomicInteger outstanding = new AtomicInteger(queue.size());
            CpuBurners burners = CpuBurners.start("soak-cpu-burner");
            PrintStream stdout = System.out;
            ExecutorService functions = Executors.newFixedThreadPool(3);
            try {
                System.setOut(new PrintStream(functionOutput, true, StandardCharsets.UTF_8));
                List<Future<?>> running = new ArrayList<>();
                for (int f = 0; f < 2; f++) {
                    S3EventHandler handler = processorFunction();
                    running.add(functions.submit(() -> {
                        processDeliveries(handler, queue, outstanding);
                        return null;
                    }));
                }
                running.add(functions.submit(() -> {
                    callApi(apiFunction(), outstanding);
                    return null;
                }));
                long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
                for (Future<?> f : running) {
                    try {
                        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        throw new AssertionError("the soak did not end within " + TIME_LIMIT + ": " + outstanding.get()
                                + " S3 events still outstanding; a function or the API hangs", e);
                    }
                }
            } finally {
                functions.shutdownNow();
                System.setOut(stdout);
                burners.close();
            }
        }

        /**
         * Every object once in key order, as objects landing one after another; every eleventh delivered a
         * second time right behind the first, so both functions run it at once; every thirteenth again later.
         */
        private List<Delivery> deliveries() {
            List<Delivery> out = new ArrayList<>();
            TreeMap<Integer, List<String>> later = new TreeMap<>();
            for (int n = 0; n < inputs.size(); n++) {
                String key = inputs.get(n).key();
                out.add(new Delivery(key, 1));
                if (n % 11 == 3) {
                    out.add(new Delivery(key, 1));
                }
                if (n % 13 == 5) {
                    later.computeIfAbsent(n + 25, x -> new ArrayList<>()).add(key);
                }
                for (String k : later.getOrDefault(n, List.of())) {
                    out.add(new Delivery(k, 1));
                }
            }
            later.tailMap(inputs.size()).values().forEach(keys -> keys.forEach(k -> out.add(new Delivery(k, 1))));
            return out;
        }

        /** One function instance: its own S3 client, store and processor, as a separate Lambda container. */
        private S3EventHandler processorFunction() {
            S3EventHandler h = new S3EventHandler();
            h.store = new S3Store(functionClient(), bucket);
            h.settings = RunSettings.defaults();
            h.processor = new ObjectProcessor(h.store, h.settings, Clock.systemUTC());
            return h;
        }

        /**
         * An S3 client with the SDK's default retries, as the function's (Wiring): S3Proxy's file system
         * answers a 500 now and then when two runs write the same key at once (a redelivery racing itself), which
         * S3 does not and which the deployed client retries. The tests' usual client makes one attempt.
         */
        private software.amazon.awssdk.services.s3.S3Client functionClient() {
            return server.clientWithSdkRetries();
        }

        private ApiHandler apiFunction() {
            ApiHandler h = new ApiHandler();
            h.store = new S3Store(functionClient(), bucket);
            h.settings = RunSettings.defaults();
            h.processor = new ObjectProcessor(h.store, h.settings, Clock.systemUTC());
            h.config = settings(bucket);
            return h;
        }

        /** Lambda's asynchronous invocation: a thrown invocation is retried (here: queued again), twice. */
        private void processDeliveries(S3EventHandler handler, BlockingQueue<Delivery> queue, AtomicInteger outstanding)
                throws InterruptedException {
            while (outstanding.get() > 0) {
                Delivery d = queue.poll(50, TimeUnit.MILLISECONDS);
                if (d == null) {
                    continue;
                }
                frontier.accumulateAndGet(indexOf.get(d.key()), Math::max);
                invocations.incrementAndGet();
                Map<String, Object> result;
                try {
                    result = handler.handleRequest(S3EventHandlerTest.notification(bucket, List.of(d.key())), null);
                } catch (RuntimeException invocationFailed) {
                    thrown.add(String.valueOf(invocationFailed.getMessage()));
                    if (d.attempt() < LAMBDA_ATTEMPTS) {
                        lambdaRetries.incrementAndGet();
                        queue.add(new Delivery(d.key(), d.attempt() + 1));
                    } else {
                        deadLetters.add(d.key() + ": " + invocationFailed.getMessage());
                        outstanding.decrementAndGet();
                    }
                    continue;
                }
                for (Object run : (List<?>) result.get("runs")) {
                    Map<?, ?> r = (Map<?, ?>) run;
                    if (!"succeeded".equals(r.get("outcome")) && !"skipped_already_processed".equals(r.get("outcome"))) {
                        failedRuns.add("S3 event " + d.key() + ": " + r);
                    }
                }
                outstanding.decrementAndGet();
            }
        }

        /**
         * The API's callers while the functions work: POST /runs of every seventeenth object when the S3 events
         * are two objects short of it (so its run is a little ahead of the functions' or beside them), of one whole
         * day by prefix as the functions reach that day, GET /runs/{id} of what they started and GET /metrics/orders
         * after each, then GET /metrics/orders until the S3 events are done. Paced by the functions' progress, so
         * the API moves the watermark only a little ahead of them: far ahead, it would make the rest of the feed late.
         * A 503 is retried as the README tells callers to. The metrics a caller reads never go back to an older state.
         */
        private void callApi(ApiHandler api, AtomicInteger outstanding) throws Exception {
            TreeMap<Integer, String> bodies = new TreeMap<>();
            for (int n = 8; n < inputs.size(); n += 17) {
                bodies.put(n - 2, "{\"keys\": [\"" + inputs.get(n).key() + "\"]}");
            }
            int day = DAYS / 2;
            bodies.put(day * FILES_PER_DAY - 1, "{\"prefix\": \"events/" + LocalDate.of(2022, 4, 1).plusDays(day) + "/\"}");
            long[] lastSequence = {-1};
            for (Map.Entry<Integer, String> b : bodies.entrySet()) {
                while (frontier.get() < b.getKey() && outstanding.get() > 0) {
                    Thread.sleep(5);
                }
                postRuns(api, b.getValue());
                readMetrics(api, lastSequence);
            }
            while (outstanding.get() > 0) {
                readMetrics(api, lastSequence);
                Thread.sleep(20);
            }
        }

        private void postRuns(ApiHandler api, String body) throws IOException, InterruptedException {
            for (int attempt = 1; attempt <= API_ATTEMPTS; attempt++) {
                apiPosts.incrementAndGet();
                Map<String, Object> answer = api.handleRequest(apiEvent("POST", "/runs", body), null);
                int status = (Integer) answer.get("statusCode");
                JsonNode json = JSON.readTree(answer.get("body").toString());
                if (status == 503 && attempt < API_ATTEMPTS) {
                    for (JsonNode r : json.path("runs")) {
                        if (r.path("outcome").asText().equals("failed")) {
                            apiRetriedCauses.merge(r.path("cause").asText(), 1L, Long::sum);
                        }
                    }
                    apiRetries.incrementAndGet();
                    Thread.sleep(20 + java.util.concurrent.ThreadLocalRandom.current().nextInt(180));
                    continue;
                }
                for (JsonNode r : json.path("runs")) {
                    String outcome = r.path("outcome").asText();
                    if (!outcome.equals("succeeded") && !outcome.equals("skipped_already_processed")) {
                        failedRuns.add("POST /runs " + body + ": " + r);
                    }
                    redoneAttempts.addAndGet(Math.max(0, r.path("attempts").asInt() - 1));
                    String id = r.path("run_id").asText();
                    Map<String, Object> report = api.handleRequest(apiEvent("GET", "/runs/" + id, null), null);
                    if (!Integer.valueOf(200).equals(report.get("statusCode"))) {
                        apiProblems.add("GET /runs/" + id + " after POST /runs " + body + ": " + report);
                    }
                }
                if (status != 200) {
                    apiProblems.add("POST /runs " + body + " answered " + status + ": " + json);
                }
                if (json.path("runs").size() != (body.contains("prefix") ? FILES_PER_DAY : 1)) {
                    apiProblems.add("POST /runs " + body + " ran " + json.path("runs").size() + " objects");
                }
                return;
            }
        }

        private void readMetrics(ApiHandler api, long[] lastSequence) throws IOException {
            metricsReads.incrementAndGet();
            Map<String, Object> answer = api.handleRequest(apiEvent("GET", "/metrics/orders", null), null);
            int status = (Integer) answer.get("statusCode");
            if (status == 404 && lastSequence[0] < 0) {
                return; // nothing committed yet
            }
            if (status != 200) {
                apiProblems.add("GET /metrics/orders answered " + status + ": " + answer.get("body"));
                return;
            }
            long sequence = JSON.readTree(answer.get("body").toString()).path("state_sequence").asLong();
            if (sequence < lastSequence[0]) {
                apiProblems.add("GET /metrics/orders went back from state " + lastSequence[0] + " to " + sequence);
            }
            lastSequence[0] = Math.max(lastSequence[0], sequence);
        }
    }

    /** An API Gateway HTTP API (payload 2.0) event. */
    private static Map<String, Object> apiEvent(String method, String path, String body) {
        Map<String, Object> event = new HashMap<>();
        event.put("version", "2.0");
        event.put("rawPath", path);
        event.put("requestContext", Map.of("http", Map.of("method", method, "path", path), "stage", "$default"));
        event.put("isBase64Encoded", false);
        if (body != null) {
            event.put("body", body);
        }
        return event;
    }

    private static SessionlakeSettings settings(String bucket) {
        return new SessionlakeSettings() {
            @Override
            public Optional<String> bucket() {
                return Optional.of(bucket);
            }

            @Override
            public String inputPrefix() {
                return "events/";
            }

            @Override
            public java.time.Duration inactivity() {
                return Duration.ofMinutes(30);
            }

            @Override
            public java.time.Duration horizon() {
                return Duration.ofDays(7);
            }

            @Override
            public int maxLineBytes() {
                return 1 << 20;
            }

            @Override
            public String parquetCodec() {
                return "SNAPPY";
            }

            @Override
            public int maxCommitAttempts() {
                return RunSettings.defaults().maxCommitAttempts();
            }

            @Override
            public Optional<Long> stateCacheBytes() {
                return Optional.empty();
            }

            @Override
            public S3 s3() {
                return null;
            }

            @Override
            public Api api() {
                return () -> 10;
            }
        };
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reading the bucket back

    private static String bucketName(S3Store store) {
        return store.location().substring("s3://".length());
    }

    private static Map<String, ObjectNode> reportsByKey(ObjectStore store) throws IOException {
        Map<String, ObjectNode> out = new TreeMap<>();
        for (ObjectStore.ObjectInfo o : store.list("runs/")) {
            ObjectNode r = (ObjectNode) JSON.readTree(store.read(o.key()).orElseThrow().bytes());
            ObjectNode before = out.put(r.path("input").path("key").asText(), r);
            assertEquals(null, before, "two reports for " + r.path("input").path("key").asText());
        }
        return out;
    }

    /** Each late or rejected line of each object once under rejected/, with its line number and its bytes. */
    private static void assertRejectedLinesKeptVerbatim(ObjectStore store, List<Input> inputs,
            Map<String, ObjectNode> reports) throws IOException {
        Map<String, Map<Long, JsonNode>> kept = new HashMap<>();
        for (ObjectStore.ObjectInfo o : store.list("rejected/")) {
            String text = new String(store.read(o.key()).orElseThrow().bytes(), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                JsonNode before = kept.computeIfAbsent(n.path("source_key").asText(), k -> new TreeMap<>())
                        .put(n.path("line_number").asLong(), n);
                assertEquals(null, before, "line kept twice under rejected/: " + n);
            }
        }
        for (Input in : inputs) {
            JsonNode counts = reports.get(in.key()).path("counts");
            Map<Long, JsonNode> lines = kept.getOrDefault(in.key(), Map.of());
            assertEquals(counts.path("rejected").asLong() + counts.path("late").asLong(), lines.size(),
                    "lines of " + in.key() + " under rejected/");
            assertEquals(counts.path("late").asLong(), lines.values().stream()
                    .filter(n -> n.path("reason").asText().equals("late")).count(), "late lines of " + in.key());
            for (JsonNode n : lines.values()) {
                byte[] raw = n.has("raw") ? n.path("raw").asText().getBytes(StandardCharsets.UTF_8)
                        : Base64.getDecoder().decode(n.path("raw_base64").asText());
                assertArrayEquals(in.lines().get((int) n.path("line_number").asLong() - 1), raw,
                        "verbatim line " + n.path("line_number") + " of " + in.key());
            }
        }
    }

    /** What users read, through DuckDB with the README's rule: current sessions, and clean events each once. */
    private void assertSameCurrentSessionsAndEvents(Path want, ObjectStore soaked) throws Exception {
        Path got = Downloads.mirror(soaked, tmp.resolve("soaked"), OUTPUTS);
        try (DuckDb db = new DuckDb()) {
            String sessions = "SELECT * FROM (%s) ORDER BY session_id";
            List<Map<String, Object>> expected = db.query(sessions.formatted(DuckDb.currentSessionsSql(want)));
            assertTrue(expected.size() > 100, "the reference has sessions: " + expected.size());
            assertEquals(expected, db.query(sessions.formatted(DuckDb.currentSessionsSql(got))), "current sessions");
            String events = "SELECT count(*) n, count(DISTINCT event_id) ids, sum(event_id) s FROM read_parquet('%s/clean_events/*/*.parquet')";
            Map<String, Object> e = db.query(events.formatted(want)).get(0);
            assertEquals(e.get("n"), e.get("ids"), "the reference counts each event once");
            assertEquals(e, db.query(events.formatted(got)).get(0), "clean events");
            String allEvents = "SELECT * FROM read_parquet('%s/clean_events/*/*.parquet', hive_partitioning=true) ORDER BY event_id";
            assertEquals(db.query(allEvents.formatted(want)), db.query(allEvents.formatted(got)), "every clean event, every column");
            String allRevisions = "SELECT * FROM read_parquet('%s/sessions/*/*.parquet', hive_partitioning=true)"
                    + " ORDER BY session_id, revision, is_deleted";
            assertEquals(db.query(allRevisions.formatted(want)), db.query(allRevisions.formatted(got)),
                    "every session revision and tombstone, every column");
        }
    }

    private static JsonNode metricsWithoutClock(ObjectStore store) throws IOException {
        ObjectNode m = (ObjectNode) JSON.readTree(store.read(Layout.METRICS_KEY).orElseThrow().bytes());
        m.remove("computed_at");
        return m;
    }

    /**
     * What the processors printed: RunsFailed summed over the run_metrics lines (what the failed-runs alarm sums),
     * how many runs, and how many attempts were redone after a lost commit race (attempts - 1 of each run line).
     */
    record LogSummary(long runs, long failed, long redone, Map<String, Long> failedByCause) {
        static LogSummary of(ByteArrayOutputStream output) throws IOException {
            long runs = 0;
            long failed = 0;
            long redone = 0;
            Map<String, Long> failedByCause = new TreeMap<>();
            for (String line : output.toString(StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("{\"log\"")) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                if (n.path("log").asText().equals("run_metrics")) {
                    runs++;
                    failed += n.path("RunsFailed").asLong();
                } else if (n.path("log").asText().equals("run")) {
                    redone += Math.max(0, n.path("attempts").asInt() - 1);
                    if (n.path("outcome").asText().equals("failed")) {
                        failedByCause.merge(n.path("cause").asText(), 1L, Long::sum);
                    }
                }
            }
            return new LogSummary(runs, failed, redone, failedByCause);
        }
    }
}
