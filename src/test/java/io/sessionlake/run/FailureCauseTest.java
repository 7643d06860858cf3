package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.session.SessionConfig;
import io.sessionlake.store.ConcurrentUpdateException;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectNotFoundException;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.store.S3Store;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.InterceptingStore;
import io.sessionlake.testing.S3Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Every failed run names one cause, and the cause carries the retry decision: input, storage, commit_race,
 * configuration, defect. Storage answers come from the real S3 adapter and the SDK's own exceptions.
 */
class FailureCauseTest {
    private static final String KEY = "events/events-1.jsonl";

    @TempDir
    Path tmp;

    private LocalFolderStore golden(String name) throws IOException {
        Path bucket = tmp.resolve(name);
        Buckets.copyGolden(bucket);
        return new LocalFolderStore(bucket);
    }

    private static RunReport process(ObjectStore store) {
        return new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK).process(KEY);
    }

    private static void assertCause(FailureCause expected, RunReport r) {
        assertEquals(RunReport.Outcome.FAILED, r.outcome(), "the run should have failed");
        assertEquals(expected, r.cause(), r.error());
        assertEquals(expected.retryable(), r.retryable(), r.error());
        JsonNode json = RunReportJson.toNode(r);
        assertEquals(expected.code(), json.get("cause").asText());
        assertEquals(expected.retryable(), json.get("retryable").asBoolean());
    }

    @Test
    void retryDecisionBelongsToTheCause() {
        assertEquals("input=false storage=true commit_race=true configuration=false defect=false",
                String.join(" ", Arrays.stream(FailureCause.values()).map(c -> c.code() + "=" + c.retryable()).toList()));
    }

    @Test
    void truncatedGzipIsAnInputFailure() throws Exception {
        LocalFolderStore store = golden("gzip");
        byte[] gz = FailurePathsTest.gzip(Files.readAllBytes(tmp.resolve("gzip/events/events-2.jsonl")));
        store.put("events/broken.jsonl.gz", Arrays.copyOf(gz, gz.length / 2), "application/gzip");
        RunReport r = new ObjectProcessor(store, RunSettings.defaults(), Buckets.FIXED_CLOCK).process("events/broken.jsonl.gz");
        assertCause(FailureCause.INPUT, r);
        assertNull(r.exception());
        JsonNode stored = new ObjectMapper().readTree(store.read(Layout.runReportKey(r.runId())).orElseThrow().bytes());
        assertEquals("input", stored.get("cause").asText(), "the stored run report names the cause too");
        assertFalse(stored.has("exception"));
    }

    @Test
    void missingObjectIsAnInputFailure() throws Exception {
        RunReport r = new ObjectProcessor(golden("missing"), RunSettings.defaults(), Buckets.FIXED_CLOCK)
                .process("events/gone.jsonl");
        assertCause(FailureCause.INPUT, r);
    }

    @Test
    void objectDeletedBetweenItsMetadataAndItsReadIsAnInputFailure() throws Exception {
        LocalFolderStore real = golden("deleted-meanwhile");
        RunReport r = process(new InterceptingStore(real, k -> { }) {
            @Override
            public InputStream open(String key) throws IOException {
                throw new ObjectNotFoundException(real.location(), key);
            }
        });
        assertCause(FailureCause.INPUT, r);
    }

    @Test
    void unreachableS3IsAStorageFailure() throws Exception {
        try (io.sessionlake.testing.RefusingPort refusing = new io.sessionlake.testing.RefusingPort()) {
            S3Store store = new S3Store(S3Server.clientAt(URI.create(refusing.endpoint())), "nowhere");
            assertCause(FailureCause.STORAGE, process(store));
        }
    }

    @Test
    void throttledReadOfTheInputIsAStorageFailure() throws Exception {
        S3Store store = s3Golden(failing(GetObjectRequest.class, KEY, 503, "SlowDown"));
        assertCause(FailureCause.STORAGE, process(store));
    }

    @Test
    void serverErrorOnTheStateCommitIsAStorageFailure() throws Exception {
        S3Store store = s3Golden(failing(PutObjectRequest.class, Layout.STATE_KEY, 500, "InternalError"));
        assertCause(FailureCause.STORAGE, process(store));
    }

    @Test
    void connectionLostWhileStreamingTheInputIsAStorageFailure() throws Exception {
        S3Store store = s3Golden(new ExecutionInterceptor() {
            @Override
            public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                    ExecutionAttributes attributes) {
                if (context.request() instanceof GetObjectRequest get && get.key().equals(KEY)) {
                    return Optional.of(new InputStream() {
                        @Override
                        public int read() {
                            // what the SDK throws, unchecked, from a stream it already returned
                            throw SdkClientException.create("connection reset while streaming");
                        }
                    });
                }
                return context.responseBody();
            }
        });
        RunReport r = process(store);
        assertCause(FailureCause.STORAGE, r);
        assertTrue(r.error().contains("connection reset while streaming"), r.error());
    }

    @Test
    void accessDeniedIsAConfigurationFailureOfTheDeployment() throws Exception {
        S3Store store = s3Golden(failing(GetObjectRequest.class, KEY, 403, "AccessDenied"));
        RunReport r = process(store);
        assertCause(FailureCause.CONFIGURATION, r);
        assertTrue(r.error().contains("access denied"), r.error());
    }

    /**
     * The manifest's base is the one state object a run reads while loading the state: a store failure there is the
     * store's (retried, or access for the deployment to grant), not a damaged state to restore.
     */
    @Test
    void aThrottledOrDeniedReadOfTheManifestsBaseIsTheStoresFailureNotADamagedState() throws Exception {
        S3Server server = S3Server.shared();
        String bucket = "cause-base-" + System.nanoTime();
        server.createBucket(bucket);
        S3Store plain = new S3Store(server.client(), bucket);
        String second = "events/events-2.jsonl";
        for (String k : List.of(KEY, second)) {
            plain.put(k, Buckets.resource("/golden/" + k).getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        }
        io.sessionlake.session.StateSeal.LeafTargets onABase =
                new io.sessionlake.session.StateSeal.LeafTargets(1, 8).listing(0);
        RunReport first = new ObjectProcessor(plain, RunSettings.defaults(), Buckets.FIXED_CLOCK, onABase,
                StateLeaves.GRACE).process(KEY);
        assertEquals(RunReport.Outcome.SUCCEEDED, first.outcome(), first.error());
        String base = io.sessionlake.session.ManifestLeaves.base(plain).key();
        // processors with nothing kept read the base, and S3 answers with an error
        S3Store throttled = new S3Store(server.client(failing(GetObjectRequest.class, base, 503, "SlowDown")), bucket);
        RunReport slow = new ObjectProcessor(throttled, RunSettings.defaults(), Buckets.FIXED_CLOCK, onABase,
                StateLeaves.GRACE).process(second);
        assertCause(FailureCause.STORAGE, slow);
        assertFalse(slow.error().contains("cannot be read"), slow.error());
        S3Store denied = new S3Store(server.client(failing(GetObjectRequest.class, base, 403, "AccessDenied")), bucket);
        RunReport refused = new ObjectProcessor(denied, RunSettings.defaults(), Buckets.FIXED_CLOCK, onABase,
                StateLeaves.GRACE).process(second);
        assertCause(FailureCause.CONFIGURATION, refused);
        assertTrue(refused.error().contains("access denied"), refused.error());
    }

    @Test
    void losingTheCommitRaceOnEveryAttemptIsACommitRaceFailure() throws Exception {
        AtomicInteger commits = new AtomicInteger();
        ObjectStore store = new InterceptingStore(golden("race"), key -> {
            if (key.equals(Layout.STATE_KEY)) {
                commits.incrementAndGet();
                throw new ConcurrentUpdateException(key); // another run always commits first
            }
        });
        RunSettings twoAttempts = new RunSettings("events/", SessionConfig.DEFAULT, 1 << 20,
                RunSettings.defaults().parquetCodec(), 2);
        RunReport r = new ObjectProcessor(store, twoAttempts, Buckets.FIXED_CLOCK).process(KEY);
        assertCause(FailureCause.COMMIT_RACE, r);
        assertEquals(2, r.attempts());
        assertEquals(2, commits.get());
    }

    @Test
    void settingsThatContradictTheStateAreAConfigurationFailure() throws Exception {
        LocalFolderStore store = golden("config");
        assertEquals(RunReport.Outcome.SUCCEEDED, process(store).outcome());
        RunReport r = new ObjectProcessor(store, RunSettings.defaults().withSessions(
                new SessionConfig(Duration.ofMinutes(45), Duration.ofDays(7))), Buckets.FIXED_CLOCK)
                .process("events/events-2.jsonl");
        assertCause(FailureCause.CONFIGURATION, r);
        assertNull(r.exception());
    }

    @Test
    void unexpectedExceptionInTheCommitIsADefectWithItsClass() throws Exception {
        ObjectStore store = new InterceptingStore(golden("defect"), key -> {
            if (key.equals(Layout.STATE_KEY)) {
                throw new NullPointerException("injected");
            }
        });
        RunReport r = process(store);
        assertCause(FailureCause.DEFECT, r);
        assertEquals("java.lang.NullPointerException", r.exception());
        assertEquals("java.lang.NullPointerException", RunReportJson.toNode(r).get("exception").asText());
    }

    @Test
    void unexpectedExceptionInTheReaderThreadIsADefectNotStorage() throws Exception {
        RunReport r = process(readingThrows(golden("defect-thread"),
                () -> new IllegalStateException("injected in the reader thread")));
        assertCause(FailureCause.DEFECT, r);
        assertEquals("java.lang.IllegalStateException", r.exception());
    }

    @Test
    void assertionErrorInTheReaderThreadIsADefect() throws Exception {
        RunReport r = process(readingThrows(golden("defect-error"), () -> new AssertionError("injected")));
        assertCause(FailureCause.DEFECT, r);
        assertEquals("java.lang.AssertionError", r.exception());
    }

    /**
     * The bucket, with every object's stream throwing what {@code failure} makes (an unchecked exception or an
     * Error) when the reader thread reads it.
     */
    private static InterceptingStore readingThrows(LocalFolderStore real,
            java.util.function.Supplier<? extends Throwable> failure) {
        return new InterceptingStore(real, k -> { }) {
            @Override
            public InputStream open(String key) {
                return new InputStream() {
                    @Override
                    public int read() {
                        Throwable t = failure.get();
                        if (t instanceof RuntimeException r) {
                            throw r;
                        }
                        throw (Error) t;
                    }
                };
            }
        };
    }

    /** A bucket with the golden input behind an S3 client whose interceptor answers one request with an error. */
    private static S3Store s3Golden(ExecutionInterceptor interceptor) throws Exception {
        S3Server server = S3Server.shared();
        String bucket = "cause-" + System.nanoTime();
        server.createBucket(bucket);
        new S3Store(server.client(), bucket).put(KEY, Buckets.resource("/golden/" + KEY)
                .getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        return new S3Store(server.client(interceptor), bucket);
    }

    /** The SDK's own exception for an S3 error answer, as S3 sends it for one kind of request on one key. */
    private static ExecutionInterceptor failing(Class<? extends SdkRequest> type, String key, int status, String code) {
        return new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                SdkRequest request = context.request();
                if (type.isInstance(request) && request.getValueForField("Key", String.class).orElse("").equals(key)) {
                    throw S3Exception.builder().statusCode(status).message(code)
                            .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code).build())
                            .build();
                }
            }
        };
    }
}
