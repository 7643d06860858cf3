package io.sessionlake.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.infra.IamPolicy;
import io.sessionlake.infra.TransformedTemplate;
import io.sessionlake.run.Layout;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.store.S3Store;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.InterceptingStore;
import io.sessionlake.testing.S3Requests;
import io.sessionlake.testing.S3Server;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both functions through their real paths against an S3 protocol server, every S3 request they send recorded
 * as it goes over the wire, and each judged against the IAM policies of that function's role in the
 * SAM-transformed template, as IAM would judge it: each request allowed, and each permission the role grants
 * used by some request. The bucket is the template's own (stack "sessionlake", account 123456789012, us-east-1),
 * so the ARNs of the policies apply to the recorded keys as they are.
 */
class TemplatePermissionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUCKET = TransformedTemplate.BUCKET;
    private static final List<String> GOLDEN = List.of("events/events-1.jsonl", "events/events-2.jsonl",
            "events/events-3.jsonl");
    /** On AWS the SDK sends every request over HTTPS; the bucket policy denies any other. */
    private static final Map<String, String> OVER_TLS = Map.of("aws:SecureTransport", "true");

    /**
     * Grants no recorded request uses, each with the reason it is kept. Empty: every grant is exercised. A
     * grant that a path needs but this test cannot drive belongs here, with the reason, rather than untested.
     */
    private static final Map<String, String> UNUSED_BUT_KEPT = Map.of();
    /** The template's two deployments (Variant parameter): the JVM and the native runtime. */
    private static final List<String> VARIANTS = List.of("jvm", "native");

    private static final S3Requests processorWire = new S3Requests();
    private static final S3Requests apiWire = new S3Requests();

    /** One S3 need of one request: an IAM action on a resource, and why. */
    record Need(String action, String arn, Map<String, String> context, String why, S3Requests.Sent request) {
        @Override
        public String toString() {
            return action + " on " + arn + " (" + why + ": " + request + ")";
        }
    }

    @BeforeAll
    static void runBothFunctionsThroughTheirPaths() throws Exception {
        S3Server server = S3Server.shared();
        server.createBucket(BUCKET);
        S3Store shop = new S3Store(server.client(), BUCKET); // uploads by the shop: not the functions' requests
        for (String key : GOLDEN) {
            shop.put(key, Buckets.resource("/golden/" + key).getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        }
        for (String key : List.of("events/race/a.jsonl", "events/race/b.jsonl", "events/race/starved.jsonl",
                "events/api/one.jsonl", "events/api/two.jsonl", "events/api/race-a.jsonl", "events/api/race-b.jsonl",
                "events/api/starved.jsonl")) {
            shop.put(key, smallObject(key), "application/x-ndjson");
        }
        S3Store processorBucket = new S3Store(server.client(processorWire), BUCKET);
        S3Store apiBucket = new S3Store(server.client(apiWire), BUCKET);

        // the processor: first run (no state yet), redelivery
        S3EventHandler processor = s3Handler(processorBucket);
        assertEquals(List.of("succeeded"), outcomes(processor.handleRequest(notification(GOLDEN.get(0)), null)));
        assertEquals(List.of("skipped_already_processed"),
                outcomes(processor.handleRequest(notification(GOLDEN.get(0)), null)));
        // an attempt fails after writing its outputs (Lambda is asked to retry), another object commits,
        // the retry commits and removes what the failed attempt wrote
        AtomicBoolean failOnce = new AtomicBoolean(true);
        S3EventHandler failing = s3Handler(new InterceptingStore(processorBucket, k -> {
            if (k.equals(Layout.STATE_KEY) && failOnce.getAndSet(false)) {
                throw new IOException("simulated: S3 unreachable at the commit");
            }
        }));
        assertThrows(IllegalStateException.class, () -> failing.handleRequest(notification(GOLDEN.get(1)), null));
        assertEquals(List.of("succeeded"), outcomes(processor.handleRequest(notification(GOLDEN.get(2)), null)));
        assertEquals(List.of("succeeded"), outcomes(processor.handleRequest(notification(GOLDEN.get(1)), null)));
        // two invocations at once: one loses the state commit race, removes its outputs and redoes its run
        InterceptingStore racing = InterceptingStore.withRacingCommits(processorBucket);
        S3EventHandler one = s3Handler(racing);
        S3EventHandler other = s3Handler(racing);
        CompletableFuture<Map<String, Object>> a = CompletableFuture.supplyAsync(
                () -> one.handleRequest(notification("events/race/a.jsonl"), null));
        CompletableFuture<Map<String, Object>> b = CompletableFuture.supplyAsync(
                () -> other.handleRequest(notification("events/race/b.jsonl"), null));
        assertEquals(List.of("succeeded"), outcomes(a.get(60, TimeUnit.SECONDS)));
        assertEquals(List.of("succeeded"), outcomes(b.get(60, TimeUnit.SECONDS)));
        // a run that lost three races in a row claims the commit turn, commits and gives it back
        S3EventHandler starved = s3Handler(losingThreeRaces(processorBucket));
        assertEquals(List.of("succeeded"), outcomes(starved.handleRequest(notification("events/race/starved.jsonl"), null)));
        assertTrue(processorWire.all().stream().anyMatch(s -> s.method.equals("PUT") && Layout.TURN_KEY.equals(s.key)),
                "the turn claimed");
        assertTrue(processorWire.all().stream().anyMatch(s -> s.method.equals("DELETE") && Layout.TURN_KEY.equals(s.key)),
                "the turn given back");

        // the API: health, metrics, runs by key and by prefix, run reports found and not found
        ApiHandler api = apiHandler(apiBucket);
        assertEquals(200, status(api, "GET", "/health", null));
        assertEquals(200, status(api, "GET", "/metrics/orders", null));
        // the API may be the first to run after an upgrade, when only state/state.bin of the earlier version is
        // there: it reads that too. Here as after a rebuild: no manifest, no metrics (removed by the shop, unrecorded)
        shop.delete(Layout.STATE_KEY);
        shop.delete(Layout.METRICS_KEY);
        JsonNode runs = body(api, "POST", "/runs", "{\"keys\": [\"events/api/one.jsonl\"]}");
        assertEquals("succeeded", runs.at("/runs/0/outcome").asText(), runs.toString());
        runs = body(api, "POST", "/runs", "{\"prefix\": \"events/api/t\"}");
        assertEquals("succeeded", runs.at("/runs/0/outcome").asText(), runs.toString());
        assertEquals(200, status(api, "GET", "/runs/" + runs.at("/runs/0/run_id").asText(), null));
        assertEquals(404, status(api, "GET", "/runs/0123456789abcdef0123", null));
        // POST /runs racing another POST /runs: the API's runs lose commit races too
        InterceptingStore apiRacing = InterceptingStore.withRacingCommits(apiBucket);
        ApiHandler apiOne = apiHandler(apiRacing);
        ApiHandler apiOther = apiHandler(apiRacing);
        CompletableFuture<JsonNode> ra = CompletableFuture.supplyAsync(
                () -> body(apiOne, "POST", "/runs", "{\"keys\": [\"events/api/race-a.jsonl\"]}"));
        CompletableFuture<JsonNode> rb = CompletableFuture.supplyAsync(
                () -> body(apiOther, "POST", "/runs", "{\"keys\": [\"events/api/race-b.jsonl\"]}"));
        JsonNode ja = ra.get(60, TimeUnit.SECONDS);
        JsonNode jb = rb.get(60, TimeUnit.SECONDS);
        assertEquals("succeeded", ja.at("/runs/0/outcome").asText(), ja.toString());
        assertEquals("succeeded", jb.at("/runs/0/outcome").asText(), jb.toString());
        assertEquals(3, ja.at("/runs/0/attempts").asInt() + jb.at("/runs/0/attempts").asInt(), "one lost the race");
        JsonNode starvedRun = body(apiHandler(losingThreeRaces(apiBucket)), "POST", "/runs",
                "{\"keys\": [\"events/api/starved.jsonl\"]}");
        assertEquals(4, starvedRun.at("/runs/0/attempts").asInt(), starvedRun.toString());
    }

    /** A store on which the first three state commits lose the race (another run committed first). */
    private static InterceptingStore losingThreeRaces(S3Store bucket) {
        java.util.concurrent.atomic.AtomicInteger commits = new java.util.concurrent.atomic.AtomicInteger();
        return new InterceptingStore(bucket, k -> {
            if (k.equals(Layout.STATE_KEY) && commits.getAndIncrement() < 3) {
                throw new io.sessionlake.store.ConcurrentUpdateException(k);
            }
        });
    }

    // ---------------------------------------------------------------------------------------------
    // The judgements
    // ---------------------------------------------------------------------------------------------

    @Test
    void everyS3RequestOfTheProcessorIsAllowedByItsRole() throws Exception {
        for (String variant : VARIANTS) {
            assertEquals(List.of(), denied(policy(variant, "ProcessorFunction"), needs(processorWire)), variant);
        }
    }

    @Test
    void everyS3PermissionOfTheProcessorsRoleIsUsed() throws Exception {
        for (String variant : VARIANTS) {
            assertEquals(List.of(), unused(policy(variant, "ProcessorFunction"), needs(processorWire)), variant);
        }
    }

    @Test
    void everyS3RequestOfTheApiIsAllowedByItsRole() throws Exception {
        for (String variant : VARIANTS) {
            assertEquals(List.of(), denied(policy(variant, "ApiFunction"), needs(apiWire)), variant);
        }
    }

    @Test
    void everyS3PermissionOfTheApisRoleIsUsed() throws Exception {
        for (String variant : VARIANTS) {
            assertEquals(List.of(), unused(policy(variant, "ApiFunction"), needs(apiWire)), variant);
        }
    }

    @Test
    void theRecordingSeesWhatTheFunctionsSent() {
        List<S3Requests.Sent> sent = processorWire.all();
        assertTrue(sent.stream().anyMatch(s -> s.method.equals("HEAD") && "events/events-1.jsonl".equals(s.key)));
        assertTrue(sent.stream().anyMatch(s -> s.method.equals("GET") && Layout.STATE_KEY.equals(s.key) && s.status() == 404),
                "the first run's read of the missing state");
        assertTrue(sent.stream().anyMatch(s -> s.method.equals("DELETE") && s.key.startsWith("rejected/")));
        assertTrue(apiWire.all().stream().anyMatch(s -> s.key == null && "events/api/t".equals(first(s.query.get("prefix")))),
                "the listing of POST /runs {prefix}");
        for (S3Requests.Sent s : sent) {
            assertEquals(BUCKET, s.bucket, s.toString());
        }
    }

    @Test
    void theJudgeRefusesWhatTheRoleDoesNotGrant() throws Exception {
        IamPolicy processor = policy("ProcessorFunction");
        String bucketArn = "arn:aws:s3:::" + BUCKET;
        assertEquals(IamPolicy.Decision.IMPLICITLY_DENIED, processor.decide("s3:DeleteObject", bucketArn + "/state/state.bin", OVER_TLS));
        assertEquals(IamPolicy.Decision.IMPLICITLY_DENIED, processor.decide("s3:DeleteObject", bucketArn + "/state/manifest.bin", OVER_TLS));
        assertEquals(IamPolicy.Decision.IMPLICITLY_DENIED, processor.decide("s3:PutObject", bucketArn + "/state/state.bin", OVER_TLS));
        assertEquals(IamPolicy.Decision.IMPLICITLY_DENIED, processor.decide("s3:GetObject", bucketArn + "/athena-results/q.csv", OVER_TLS));
        assertEquals(IamPolicy.Decision.IMPLICITLY_DENIED, processor.decide("s3:GetObject", bucketArn + "/metrics/other.json", OVER_TLS));
        assertEquals(IamPolicy.Decision.IMPLICITLY_DENIED, processor.decide("s3:PutObject", "arn:aws:s3:::another-bucket/sessions/x", OVER_TLS));
        assertEquals(IamPolicy.Decision.ALLOWED, processor.decide("S3:getobject", bucketArn + "/events/a/b.jsonl", OVER_TLS));
    }

    @Test
    void theJudgeLetsTheBucketPolicysDenialWin() throws Exception {
        String arn = "arn:aws:s3:::" + BUCKET + "/sessions/dt=2022-04-20/x.parquet";
        assertEquals(IamPolicy.Decision.EXPLICITLY_DENIED,
                policy("ProcessorFunction").decide("s3:PutObject", arn, Map.of("aws:SecureTransport", "false")));
    }

    // ---------------------------------------------------------------------------------------------
    // From wire requests to IAM actions
    // ---------------------------------------------------------------------------------------------

    /**
     * The IAM actions S3 checks for each request (Amazon S3 User Guide, "Actions, resources and condition keys
     * for Amazon S3"): GET and HEAD of an object need s3:GetObject, PUT s3:PutObject (conditional or not), DELETE
     * s3:DeleteObject, a ListObjectsV2 s3:ListBucket on the bucket with s3:prefix. A GET or HEAD answered 404
     * also needed s3:ListBucket: without it S3 answers 403 for a missing key, and the code would fail where it
     * expects "not found". Any other request fails the test: it must be mapped before it can be judged.
     */
    static List<Need> needs(S3Requests recording) {
        List<Need> out = new ArrayList<>();
        for (S3Requests.Sent r : recording.all()) {
            String bucketArn = "arn:aws:s3:::" + r.bucket;
            Set<String> query = new java.util.TreeSet<>(r.query.keySet());
            query.remove("x-id");
            if (r.key == null) {
                if (r.method.equals("GET") && query.contains("list-type") && Set.of("list-type", "prefix",
                        "continuation-token", "encoding-type", "max-keys", "start-after").containsAll(query)) {
                    Map<String, String> context = new HashMap<>(OVER_TLS);
                    Optional.ofNullable(first(r.query.get("prefix"))).ifPresent(p -> context.put("s3:prefix", p));
                    out.add(new Need("s3:ListBucket", bucketArn, context, "ListObjectsV2", r));
                    continue;
                }
                throw new AssertionError("no IAM action mapped for the bucket request " + r);
            }
            if (!query.isEmpty()) {
                throw new AssertionError("no IAM action mapped for the sub-resource request " + r);
            }
            String arn = bucketArn + "/" + r.key;
            switch (r.method) {
                case "GET", "HEAD" -> {
                    out.add(new Need("s3:GetObject", arn, OVER_TLS, r.method + " object", r));
                    if (r.status() == 404) {
                        out.add(new Need("s3:ListBucket", bucketArn, OVER_TLS, "404 for a missing key", r));
                    }
                }
                case "PUT" -> {
                    if (r.headers.containsKey("x-amz-copy-source")) {
                        throw new AssertionError("a copy also reads its source; not mapped: " + r);
                    }
                    out.add(new Need("s3:PutObject", arn, OVER_TLS, "PUT object", r));
                }
                case "DELETE" -> out.add(new Need("s3:DeleteObject", arn, OVER_TLS, "DELETE object", r));
                default -> throw new AssertionError("no IAM action mapped for " + r);
            }
        }
        assertTrue(out.size() > 10, "the functions sent requests: " + out);
        return out;
    }

    private static List<String> denied(IamPolicy policy, List<Need> needs) {
        List<String> out = new ArrayList<>();
        for (Need n : needs) {
            IamPolicy.Decision d = policy.decide(n.action(), n.arn(), n.context());
            if (d != IamPolicy.Decision.ALLOWED) {
                String line = d + ": " + n.action() + " on " + n.arn() + " (" + n.why() + ")";
                if (!out.contains(line)) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    private static List<String> unused(IamPolicy policy, List<Need> needs) {
        List<String> out = new ArrayList<>();
        for (IamPolicy.Grant g : policy.grants("s3:")) {
            if (needs.stream().noneMatch(n -> g.covers(n.action(), n.arn()))
                    && !UNUSED_BUT_KEPT.containsKey(g.action() + " " + g.resource())) {
                out.add(g.statement() + ": " + g.action() + " on " + g.resource());
            }
        }
        return out;
    }

    private static IamPolicy policy(String function) throws Exception {
        return policy("jvm", function);
    }

    private static IamPolicy policy(String variant, String function) throws Exception {
        JsonNode resources = TransformedTemplate.facts().get("variants").get(variant);
        return IamPolicy.of(resources, TransformedTemplate.roleOf(resources, function));
    }

    // ---------------------------------------------------------------------------------------------
    // Driving the functions
    // ---------------------------------------------------------------------------------------------

    private static byte[] smallObject(String key) {
        int n = Math.abs(key.hashCode() % 1000);
        return ("{\"id\": " + (100_000 + n) + ", \"type\": \"page_view\", \"event\": {\"customer-id\": " + (900 + n)
                + ", \"timestamp\": \"2022-04-21T10:00:00\", \"page\": \"/\"}}\n" + "not json\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static S3EventHandler s3Handler(ObjectStore store) {
        S3EventHandler h = new S3EventHandler();
        h.store = store;
        h.settings = RunSettings.defaults();
        h.processor = new ObjectProcessor(store, h.settings, Buckets.FIXED_CLOCK);
        return h;
    }

    private static ApiHandler apiHandler(ObjectStore store) {
        ApiHandler h = new ApiHandler();
        h.store = store;
        h.settings = RunSettings.defaults();
        h.processor = new ObjectProcessor(store, h.settings, Buckets.FIXED_CLOCK);
        h.config = settings();
        return h;
    }

    /** The function's sessionlake.* settings as a deployment of the template gives them. */
    private static SessionlakeSettings settings() {
        Map<String, Object> values = new HashMap<>();
        values.put("bucket", Optional.of(BUCKET));
        values.put("inputPrefix", "events/");
        values.put("inactivity", Duration.ofMinutes(30));
        values.put("horizon", Duration.ofDays(7));
        values.put("maxLineBytes", 1 << 20);
        values.put("parquetCodec", "SNAPPY");
        values.put("maxCommitAttempts", 5);
        values.put("stateCacheBytes", Optional.empty());
        values.put("maxObjectsPerRequest", 10);
        values.put("pathStyle", true);
        values.put("endpoint", Optional.empty());
        return (SessionlakeSettings) Proxy.newProxyInstance(SessionlakeSettings.class.getClassLoader(),
                new Class<?>[] {SessionlakeSettings.class, SessionlakeSettings.S3.class, SessionlakeSettings.Api.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "s3", "api" -> proxy;
                    case "toString" -> "settings of the test deployment";
                    default -> {
                        if (!values.containsKey(method.getName())) {
                            throw new UnsupportedOperationException("no test value for sessionlake setting " + method.getName());
                        }
                        yield values.get(method.getName());
                    }
                });
    }

    private static Map<String, Object> notification(String key) {
        return S3EventHandlerTest.notification(BUCKET, List.of(key));
    }

    private static List<Object> outcomes(Map<String, Object> result) {
        List<Object> out = new ArrayList<>();
        for (Object run : (List<?>) result.get("runs")) {
            out.add(((Map<?, ?>) run).get("outcome"));
        }
        return out;
    }

    private static Map<String, Object> gatewayCall(ApiHandler api, String method, String path, String body) {
        return api.handleRequest(ApiHandlerTest.request(method, path, body), null);
    }

    private static int status(ApiHandler api, String method, String path, String body) {
        return (Integer) gatewayCall(api, method, path, body).get("statusCode");
    }

    private static JsonNode body(ApiHandler api, String method, String path, String body) {
        Map<String, Object> response = gatewayCall(api, method, path, body);
        try {
            return JSON.readTree(response.get("body").toString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
