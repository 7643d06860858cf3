package io.sessionlake.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.run.ConfigurationException;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.testing.InterceptingStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
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
