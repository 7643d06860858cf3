package io.sessionlake.lambda;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.sessionlake.store.S3Store;
import io.sessionlake.testing.Buckets;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The on-demand API as API Gateway calls it: HTTP API (payload 2.0) events posted with REST Assured to
 * Quarkus's Lambda mock event server, with the function selected as a deployment selects it.
 */
@QuarkusTest
@TestProfile(ApiHandlerTest.ApiFunction.class)
@QuarkusTestResource(S3ProxyResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiHandlerTest {

    /** The API function: the same artifact with QUARKUS_LAMBDA_HANDLER=api. */
    public static class ApiFunction implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.lambda.handler", "api", "sessionlake.api.max-objects-per-request", "3");
        }
    }

    @jakarta.inject.Inject
    Priming priming;

    /** At startup the read routes only: a run at init would make every cold start wait for it. */
    @Test
    @Order(0)
    void theApiFunctionPrimesItsReadRoutesAtStartWithoutThePipeline() {
        List<Priming.Primed> atStartup = priming.primed().stream().filter(p -> p.phase().equals("startup")).toList();
        org.junit.jupiter.api.Assertions.assertEquals(List.of("GET /health 200", "GET /metrics/orders 200"),
                atStartup.stream().map(p -> p.what() + " " + p.outcome()).toList());
        org.junit.jupiter.api.Assertions.assertNull(priming.report(), "no run of the pipeline at startup");
    }

    /** Before a snapshot (called directly: no checkpoint here) it runs POST /runs too, on its in-memory bucket. */
    @Test
    @Order(0)
    void beforeTheSnapshotTheApiAlsoRunsAnObjectWithoutTouchingTheBucket() throws Exception {
        S3Store bucket = new S3Store(S3ProxyResource.client(), S3ProxyResource.BUCKET);
        List<String> bucketBefore = bucket.list("").stream().map(o -> o.key()).toList();
        int before = priming.primed().size();

        priming.beforeCheckpoint(null);

        List<String> checkpoint = priming.primed().subList(before, priming.primed().size()).stream()
                .map(p -> p.phase() + " " + p.what() + " " + p.outcome()).toList();
        org.junit.jupiter.api.Assertions.assertEquals(List.of("checkpoint GET /health 200",
                "checkpoint GET /metrics/orders 200", "checkpoint POST /runs 200", "checkpoint GET /runs/{id} 200"),
                checkpoint);
        org.junit.jupiter.api.Assertions.assertEquals(bucketBefore, bucket.list("").stream().map(o -> o.key()).toList());
    }

    @BeforeAll
    static void uploadGolden() throws Exception {
        S3Store bucket = new S3Store(S3ProxyResource.client(), S3ProxyResource.BUCKET);
        for (String key : List.of("events/events-1.jsonl", "events/events-2.jsonl", "events/events-3.jsonl")) {
            bucket.put(key, Buckets.resource("/golden/" + key).getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        }
        for (int i = 0; i < 4; i++) {
            bucket.put("events/many/part-" + i + ".jsonl", new byte[0], "application/x-ndjson");
        }
    }

    static Map<String, Object> request(String method, String path, String body) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", path);
        event.put("rawQueryString", "");
        event.put("headers", Map.of("content-type", "application/json"));
        event.put("requestContext", Map.of("http", Map.of("method", method, "path", path), "stage", "$default"));
        if (body != null) {
            event.put("body", body);
            event.put("isBase64Encoded", false);
        }
        return event;
    }

    private static JsonPath call(String method, String path, String body, int status) {
        String responseBody = given().contentType("application/json").body(request(method, path, body))
                .when().post()
                .then().statusCode(200)
                .body("statusCode", equalTo(status))
                .body("headers.content-type", equalTo("application/json"))
                .extract().path("body");
        return new JsonPath(responseBody);
    }

    @Test
    @Order(1)
    void healthSaysWhichBucketAndSettings() {
        JsonPath health = call("GET", "/health", null, 200);
        org.junit.jupiter.api.Assertions.assertEquals("ok", health.getString("status"));
        org.junit.jupiter.api.Assertions.assertEquals(S3ProxyResource.BUCKET, health.getString("bucket"));
        org.junit.jupiter.api.Assertions.assertEquals("PT30M", health.getString("inactivity_timeout"));
    }

    @Test
    @Order(2)
    void metricsBeforeAnyRunAreNotFound() {
        org.junit.jupiter.api.Assertions.assertEquals("not_found", call("GET", "/metrics/orders", null, 404).getString("error"));
    }

    @Test
    @Order(3)
    void postRunsProcessesTheNamedObjects() {
        JsonPath runs = call("POST", "/runs", "{\"keys\": [\"events/events-1.jsonl\", \"events/events-2.jsonl\","
                + " \"events/events-3.jsonl\"]}", 200);
        org.junit.jupiter.api.Assertions.assertEquals(List.of("succeeded", "succeeded", "succeeded"),
                runs.getList("runs.outcome"));
        org.junit.jupiter.api.Assertions.assertEquals(20, runs.getList("runs.counts.accepted", Integer.class)
                .stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    @Order(4)
    void metricsAfterTheRunsAreTheGoldenNumbers() {
        JsonPath metrics = call("GET", "/metrics/orders", null, 200);
        org.junit.jupiter.api.Assertions.assertEquals(10, metrics.getInt("sessions"));
        org.junit.jupiter.api.Assertions.assertEquals(1.0, metrics.getDouble("median_visits_before_order"));
        org.junit.jupiter.api.Assertions.assertEquals(10.0, metrics.getDouble("median_session_duration_minutes_before_order"));
    }

    @Test
    @Order(5)
    void aRunReportIsFoundByItsId() {
        String runId = call("POST", "/runs", "{\"keys\": [\"events/events-1.jsonl\"]}", 200).getString("runs[0].run_id");
        JsonPath report = call("GET", "/runs/" + runId, null, 200);
        org.junit.jupiter.api.Assertions.assertEquals("succeeded", report.getString("outcome"));
        org.junit.jupiter.api.Assertions.assertEquals("events/events-1.jsonl", report.getString("input.key"));
    }

    @Test
    @Order(6)
    void keysOutsideTheInputPrefixAreRefused() {
        JsonPath e = call("POST", "/runs", "{\"keys\": [\"state/state.bin\"]}", 400);
        org.junit.jupiter.api.Assertions.assertEquals("outside_input_prefix", e.getString("error"));
        org.junit.jupiter.api.Assertions.assertEquals("outside_input_prefix",
                call("POST", "/runs", "{\"keys\": [\"events/../state/state.bin\"]}", 400).getString("error"));
        org.junit.jupiter.api.Assertions.assertEquals("outside_input_prefix",
                call("POST", "/runs", "{\"prefix\": \"runs/\"}", 400).getString("error"));
    }

    @Test
    @Order(7)
    void anotherBucketIsRefused() {
        org.junit.jupiter.api.Assertions.assertEquals("wrong_bucket",
                call("POST", "/runs", "{\"bucket\": \"someone-elses\", \"keys\": [\"events/x.jsonl\"]}", 400).getString("error"));
    }

    @Test
    @Order(8)
    void aPrefixMatchingTooManyObjectsIsRefused() {
        JsonPath e = call("POST", "/runs", "{\"prefix\": \"events/many/\"}", 400);
        org.junit.jupiter.api.Assertions.assertEquals("too_many_objects", e.getString("error"));
    }

    @Test
    @Order(9)
    void malformedRequestsGetAReasonNotAStackTrace() {
        org.junit.jupiter.api.Assertions.assertEquals("invalid_json", call("POST", "/runs", "{not json", 400).getString("error"));
        org.junit.jupiter.api.Assertions.assertEquals("keys_or_prefix", call("POST", "/runs", "{}", 400).getString("error"));
        org.junit.jupiter.api.Assertions.assertEquals("bad_run_id", call("GET", "/runs/../../state", null, 400).getString("error"));
        org.junit.jupiter.api.Assertions.assertEquals("not_found", call("GET", "/runs/0123456789abcdef0123", null, 404).getString("error"));
        org.junit.jupiter.api.Assertions.assertEquals("not_found", call("GET", "/nope", null, 404).getString("error"));
        org.junit.jupiter.api.Assertions.assertEquals("method_not_allowed", call("DELETE", "/metrics/orders", null, 405).getString("error"));
        given().contentType("application/json").body(request("POST", "/runs", "{\"keys\": 5}"))
                .when().post().then().statusCode(200).body("body", not(containsString("\tat ")));
    }
}
