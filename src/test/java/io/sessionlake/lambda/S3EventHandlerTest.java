package io.sessionlake.lambda;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionlake.run.Layout;
import io.sessionlake.run.RunReport;
import jakarta.inject.Inject;
import io.sessionlake.store.S3Store;
import io.sessionlake.testing.Buckets;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The S3-triggered function end to end: S3 notifications posted to Quarkus's Lambda mock event server,
 * objects in a real S3 protocol server. One bucket for the class, so the steps build on each other.
 */
@QuarkusTest
@QuarkusTestResource(S3ProxyResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3EventHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> GOLDEN = List.of("events/events-1.jsonl", "events/events-2.jsonl",
            "events/events-3.jsonl");
    private static S3Store bucket;

    @Inject
    Priming priming;

    @Test
    @Order(0)
    void theProcessorPrimedItsPipelineAtStartWithoutTouchingTheBucket() throws Exception {
        List<Priming.Primed> atStartup = priming.primed().stream().filter(p -> p.phase().equals("startup")).toList();
        assertEquals(List.of("run"), atStartup.stream().map(Priming.Primed::what).toList());
        RunReport report = atStartup.get(0).report();
        assertEquals(RunReport.Outcome.SUCCEEDED, report.outcome(), String.valueOf(report.error()));
        assertEquals(3, report.counts().accepted(), "the three priming events were sessionized");
        assertTrue(report.outputs().stream().anyMatch(k -> k.startsWith("clean_events/")),
                "the priming run wrote Parquet: " + report.outputs());
        // through S3Store and the SDK, on the in-memory bucket
        assertEquals("s3://" + Priming.BUCKET, report.bucket(), report.toString());
        assertTrue(bucket.list("").stream().noneMatch(o -> o.key().contains("priming")),
                "nothing of the priming run is in the bucket");
    }

    /**
     * What SnapStart's runtime calls before the snapshot (a checkpoint cannot be taken in this JVM, so the hook
     * is called directly): the pipeline runs again, then on the warm-up object until the JIT has compiled it,
     * nothing reaches the bucket and no temporary folder is left. The tests after this one run on the function
     * after {@code afterRestore}, as a restored one would.
     */
    @Test
    @Order(1)
    void beforeTheSnapshotThePipelineWarmsUpWithoutTouchingTheBucketOrLeavingFiles() throws Exception {
        List<String> bucketBefore = bucket.list("").stream().map(o -> o.key()).toList();
        List<java.nio.file.Path> tempBefore = sessionlakeTempFolders();
        int before = priming.primed().size();

        priming.beforeCheckpoint(null);
        priming.afterRestore(null);

        List<Priming.Primed> checkpoint = priming.primed().subList(before, priming.primed().size());
        assertEquals(1 + Priming.WARM_UP_RUNS, checkpoint.size(), checkpoint.toString());
        for (Priming.Primed p : checkpoint) {
            assertEquals("checkpoint", p.phase());
            assertEquals(RunReport.Outcome.SUCCEEDED, p.report().outcome(), String.valueOf(p.report().error()));
        }
        RunReport warmUp = checkpoint.get(checkpoint.size() - 1).report();
        assertEquals(Priming.WARM_UP_LINES, warmUp.counts().lines());
        assertEquals(Priming.WARM_UP_LINES, warmUp.counts().accepted(), warmUp.toString());
        assertTrue(warmUp.sessionRevisions() > 100, warmUp.toString());
        assertEquals(bucketBefore, bucket.list("").stream().map(o -> o.key()).toList());
        assertEquals(tempBefore, sessionlakeTempFolders());
    }

    private static List<java.nio.file.Path> sessionlakeTempFolders() throws java.io.IOException {
        try (var paths = java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
            return paths.filter(p -> p.getFileName().toString().startsWith("sessionlake-")).sorted().toList();
        }
    }

    @BeforeAll
    static void uploadGolden() throws Exception {
        bucket = new S3Store(S3ProxyResource.client(), S3ProxyResource.BUCKET);
        for (String key : GOLDEN) {
            bucket.put(key, Buckets.resource("/golden/" + key).getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        }
    }

    /** An S3 ObjectCreated notification as S3 sends it: keys URL-encoded, '+' for a space. */
    static Map<String, Object> notification(String bucketName, List<String> keys) {
        List<Object> records = new ArrayList<>();
        for (String key : keys) {
            Map<String, Object> s3 = new LinkedHashMap<>();
            s3.put("bucket", Map.of("name", bucketName, "arn", "arn:aws:s3:::" + bucketName));
            s3.put("object", Map.of("key", URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"),
                    "size", 1, "eTag", "x"));
            records.add(Map.of("eventVersion", "2.1", "eventSource", "aws:s3", "eventName", "ObjectCreated:Put", "s3", s3));
        }
        return Map.of("Records", records);
    }

    @Test
    @Order(1)
    void oneNotificationWithThreeRecordsProcessesTheGoldenExample() throws Exception {
        given().contentType("application/json").body(notification(S3ProxyResource.BUCKET, GOLDEN))
                .when().post()
                .then().statusCode(200)
                .body("runs", hasSize(3))
                .body("runs[0].outcome", equalTo("succeeded"))
                .body("runs[2].outcome", equalTo("succeeded"));
        JsonNode expected = JSON.readTree(Buckets.resource("/golden/expected-summary.json")).get("metrics");
        JsonNode metrics = JSON.readTree(bucket.read(Layout.METRICS_KEY).orElseThrow().bytes());
        expected.fieldNames().forEachRemaining(f -> assertEquals(expected.get(f).asDouble(), metrics.get(f).asDouble(), 0.0, f));
    }

    @Test
    @Order(2)
    void redeliveredNotificationIsANoOp() throws Exception {
        byte[] stateBefore = bucket.read(Layout.STATE_KEY).orElseThrow().bytes();
        given().contentType("application/json").body(notification(S3ProxyResource.BUCKET, GOLDEN))
                .when().post()
                .then().statusCode(200)
                .body("runs.outcome", equalTo(List.of("skipped_already_processed", "skipped_already_processed",
                        "skipped_already_processed")));
        assertTrue(java.util.Arrays.equals(stateBefore, bucket.read(Layout.STATE_KEY).orElseThrow().bytes()));
    }

    @Test
    @Order(3)
    void objectsOutsideTheInputPrefixOrBucketAreIgnored() {
        given().contentType("application/json")
                .body(notification(S3ProxyResource.BUCKET, List.of("sessions/dt=2022-04-20/x.parquet")))
                .when().post()
                .then().statusCode(200).body("runs", hasSize(0));
        given().contentType("application/json").body(notification("another-bucket", List.of("events/x.jsonl")))
                .when().post()
                .then().statusCode(200).body("runs", hasSize(0));
    }

    @Test
    @Order(4)
    void urlEncodedKeyIsDecodedBeforeReading() throws Exception {
        String key = "events/late arrivals/file+1.jsonl";
        bucket.put(key, ("{\"id\": 9001, \"type\": \"page_view\", \"event\": {\"customer-id\": 900,"
                + " \"timestamp\": \"2022-04-22T08:00:00\"}}\n").getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        given().contentType("application/json").body(notification(S3ProxyResource.BUCKET, List.of(key)))
                .when().post()
                .then().statusCode(200)
                .body("runs[0].key", equalTo(key))
                .body("runs[0].outcome", equalTo("succeeded"));
    }

    @Test
    @Order(5)
    void corruptObjectIsReportedWithoutAskingLambdaToRetry() throws Exception {
        bucket.put("events/corrupt.jsonl.gz", new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0}, "application/gzip");
        String runId = given().contentType("application/json")
                .body(notification(S3ProxyResource.BUCKET, List.of("events/corrupt.jsonl.gz")))
                .when().post()
                .then().statusCode(200)
                .body("runs[0].outcome", equalTo("failed"))
                .extract().path("runs[0].run_id");
        JsonNode report = JSON.readTree(bucket.read(Layout.runReportKey(runId)).orElseThrow().bytes());
        assertEquals("failed", report.get("outcome").asText());
        assertEquals(false, report.get("retryable").asBoolean());
        assertEquals("input", report.get("cause").asText());
        assertTrue(report.get("error").asText().contains("corrupt gzip"), report.get("error").asText());
    }
}
