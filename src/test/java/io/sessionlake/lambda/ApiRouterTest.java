package io.sessionlake.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.run.ConfigurationException;
import io.sessionlake.run.FailureCause;
import io.sessionlake.run.Layout;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.ConcurrentUpdateException;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.testing.InterceptingStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /runs refusals that depend on what the router asks of the store, with the store's calls counted. */
class ApiRouterTest {
    private static final int LIMIT = 10;

    @TempDir
    Path bucket;

    /** Counts the keys every listing hands back; a listing without a limit counts as a failure of the test. */
    private static final class CountingStore extends InterceptingStore {
        final AtomicInteger keysListed = new AtomicInteger();
        final AtomicInteger unboundedListings = new AtomicInteger();

        CountingStore(ObjectStore delegate) {
            super(delegate, key -> { });
        }

        @Override
        public List<ObjectInfo> list(String prefix) throws IOException {
            unboundedListings.incrementAndGet();
            List<ObjectInfo> all = super.list(prefix);
            keysListed.addAndGet(all.size());
            return all;
        }

        @Override
        public List<ObjectInfo> list(String prefix, int limit) throws IOException {
            List<ObjectInfo> some = super.list(prefix, limit);
            keysListed.addAndGet(some.size());
            return some;
        }
    }

    private static JsonNode body(ApiResponse r) throws IOException {
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void aPrefixWithManyObjectsIsRefusedAfterListingOneMoreThanTheLimit() throws Exception {
        LocalFolderStore local = new LocalFolderStore(bucket);
        for (int i = 0; i < 200; i++) {
            local.put(String.format("events/many/part-%03d.jsonl", i), new byte[0], "application/x-ndjson");
        }
        CountingStore store = new CountingStore(local);
        RunSettings settings = RunSettings.defaults();
        ApiRouter router = new ApiRouter(store, new ObjectProcessor(store, settings, Clock.systemUTC()), settings,
                "bucket", LIMIT);

        ApiResponse r = router.handle("POST", "/runs", "{\"prefix\": \"events/many/\"}");

        assertEquals(400, r.status(), r.body());
        assertEquals("too_many_objects", body(r).get("error").asText());
        assertTrue(body(r).get("message").asText().startsWith("more than 10 objects match"), r.body());
        assertEquals(0, store.unboundedListings.get(), "the prefix was listed whole");
        assertEquals(LIMIT + 1, store.keysListed.get());
    }

    @Test
    void aFailedRunAnswersWithTheStatusOfItsCause() throws Exception {
        RunSettings settings = RunSettings.defaults();
        Map<String, Integer> statusByCause = new TreeMap<>();
        for (FailureCause cause : FailureCause.values()) {
            Path folder = bucket.resolve(cause.code());
            io.sessionlake.testing.Buckets.copyGolden(folder);
            String key = "events/events-1.jsonl";
            InterceptingStore.Hook hook = k -> { };
            switch (cause) {
                case INPUT -> key = "events/gone.jsonl";
                case STORAGE -> hook = onCommit(() -> new IOException("connection reset"));
                case COMMIT_RACE -> hook = onCommit(() -> new ConcurrentUpdateException(Layout.STATE_KEY));
                case CONFIGURATION -> {
                    Files.createDirectories(folder.resolve("state"));
                    Files.writeString(folder.resolve(Layout.STATE_KEY), "not a state");
                }
                case DEFECT -> hook = k -> {
                    if (k.equals(Layout.STATE_KEY)) {
                        throw new IllegalStateException("injected");
                    }
                };
            }
            ObjectStore store = new InterceptingStore(new LocalFolderStore(folder), hook);
            ApiRouter router = new ApiRouter(store, new ObjectProcessor(store, settings, Clock.systemUTC()), settings,
                    "bucket", LIMIT);
            ApiResponse r = router.handle("POST", "/runs", "{\"keys\": [\"" + key + "\"]}");
            assertEquals(cause.code(), body(r).get("error").asText(), r.body());
            assertEquals(cause.code(), body(r).get("runs").get(0).get("cause").asText(), r.body());
            statusByCause.put(cause.code(), r.status());
        }
        assertEquals(Map.of("input", 422, "storage", 503, "commit_race", 503, "configuration", 500, "defect", 500),
                statusByCause);
    }

    @Test
    void aRequestWhoseRunsAllSucceedAnswers200() throws Exception {
        io.sessionlake.testing.Buckets.copyGolden(bucket);
        LocalFolderStore store = new LocalFolderStore(bucket);
        RunSettings settings = RunSettings.defaults();
        ApiRouter router = new ApiRouter(store, new ObjectProcessor(store, settings, Clock.systemUTC()), settings,
                "bucket", LIMIT);
        ApiResponse r = router.handle("POST", "/runs", "{\"prefix\": \"events/\"}");
        assertEquals(200, r.status(), r.body());
        assertEquals(3, body(r).get("runs").size());
        assertTrue(!body(r).has("error"), r.body());
    }

    private interface Failure {
        IOException make();
    }

    private static InterceptingStore.Hook onCommit(Failure failure) {
        return k -> {
            if (k.equals(Layout.STATE_KEY)) {
                throw failure.make();
            }
        };
    }

    @Test
    void thePrivateStateCanNeverBeNamedAsAnInput() throws Exception {
        LocalFolderStore store = new LocalFolderStore(bucket);
        store.put("state/state.bin", new byte[] {1, 2, 3}, "application/octet-stream");
        RunSettings settings = RunSettings.defaults();
        ApiRouter router = new ApiRouter(store, new ObjectProcessor(store, settings, Clock.systemUTC()), settings,
                "bucket", LIMIT);
        for (String body : List.of("{\"keys\": [\"state/state.bin\"]}", "{\"keys\": [\"events/../state/state.bin\"]}",
                "{\"prefix\": \"state/\"}", "{\"prefix\": \"\"}")) {
            ApiResponse r = router.handle("POST", "/runs", body);
            assertEquals(400, r.status(), body + " -> " + r.body());
            assertEquals("outside_input_prefix", body(r).get("error").asText(), body);
        }
        assertEquals(List.of(), store.list("rejected/"), "nothing was processed");
        // and no input prefix under which it would be one can be configured (InputPrefixTest, WiringTest)
        assertThrows(ConfigurationException.class, () -> settings.withInputPrefix(""));
        assertThrows(ConfigurationException.class, () -> settings.withInputPrefix("state/"));
    }
}
