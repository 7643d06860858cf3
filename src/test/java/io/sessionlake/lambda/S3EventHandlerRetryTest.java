package io.sessionlake.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.run.FailureCause;
import io.sessionlake.run.Layout;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.ConcurrentUpdateException;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.InterceptingStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the handler asks Lambda to retry: only for failures a retry can fix. */
class S3EventHandlerRetryTest {
    @TempDir
    Path bucket;

    private S3EventHandler handler(ObjectStore store) {
        S3EventHandler h = new S3EventHandler();
        h.store = store;
        h.settings = RunSettings.defaults();
        h.processor = new ObjectProcessor(store, h.settings, Buckets.FIXED_CLOCK);
        return h;
    }

    private Map<String, Object> event(String key) {
        return S3EventHandlerTest.notification(bucket.getFileName().toString(), List.of(key));
    }

    /** A local bucket folder whose reads of input objects fail as an unreachable S3 would. */
    private ObjectStore unreachableForReads(LocalFolderStore real) {
        return new io.sessionlake.testing.InterceptingStore(real, k -> { }) {
            @Override
            public InputStream open(String key) throws IOException {
                throw new IOException("connection reset");
            }

            @Override
            public String location() {
                return "s3://" + bucket.getFileName();
            }
        };
    }

    @Test
    void storageFailureFailsTheInvocationSoLambdaRetries() throws Exception {
        Buckets.copyGolden(bucket);
        S3EventHandler h = handler(unreachableForReads(new LocalFolderStore(bucket)));
        assertThrows(IllegalStateException.class, () -> h.handleRequest(event("events/events-1.jsonl"), null));
    }

    /** The local bucket as the handler's store, with a hook before each conditional write. */
    private ObjectStore withHook(InterceptingStore.Hook hook) {
        return new InterceptingStore(new LocalFolderStore(bucket), hook) {
            @Override
            public String location() {
                return "s3://" + bucket.getFileName();
            }
        };
    }

    @Test
    void lambdaRetriesExactlyTheRetryableCauses() throws Exception {
        Buckets.copyGolden(bucket);
        Map<FailureCause, InterceptingStore.Hook> failing = new EnumMap<>(FailureCause.class);
        failing.put(FailureCause.STORAGE, k -> {
            if (k.equals(Layout.STATE_KEY)) {
                throw new IOException("connection reset");
            }
        });
        failing.put(FailureCause.COMMIT_RACE, k -> {
            if (k.equals(Layout.STATE_KEY)) {
                throw new ConcurrentUpdateException(k);
            }
        });
        failing.put(FailureCause.DEFECT, k -> {
            if (k.equals(Layout.STATE_KEY)) {
                throw new IllegalStateException("injected");
            }
        });
        failing.put(FailureCause.INPUT, k -> { }); // a key with no object
        failing.put(FailureCause.CONFIGURATION, k -> { }); // an unreadable state
        Map<FailureCause, Boolean> retried = new EnumMap<>(FailureCause.class);
        for (Map.Entry<FailureCause, InterceptingStore.Hook> e : failing.entrySet()) {
            Path state = bucket.resolve(Layout.STATE_KEY);
            Files.deleteIfExists(state);
            if (e.getKey() == FailureCause.CONFIGURATION) {
                Files.createDirectories(state.getParent());
                Files.writeString(state, "not a state");
            }
            String key = e.getKey() == FailureCause.INPUT ? "events/gone.jsonl" : "events/events-1.jsonl";
            S3EventHandler h = handler(withHook(e.getValue()));
            boolean threw;
            try {
                h.handleRequest(event(key), null);
                threw = false;
            } catch (IllegalStateException asksForRetry) {
                threw = true;
                assertTrue(asksForRetry.getMessage().contains(key + " (" + e.getKey().code() + ")"),
                        asksForRetry.getMessage());
            }
            retried.put(e.getKey(), threw);
        }
        assertEquals(Map.of(FailureCause.INPUT, false, FailureCause.STORAGE, true, FailureCause.COMMIT_RACE, true,
                FailureCause.CONFIGURATION, false, FailureCause.DEFECT, false), retried);
    }

    @Test
    void objectRemovalNotificationsAreIgnored() throws Exception {
        Buckets.copyGolden(bucket);
        S3EventHandler h = handler(new io.sessionlake.testing.InterceptingStore(new LocalFolderStore(bucket), k -> { }) {
            @Override
            public String location() {
                return "s3://" + bucket.getFileName();
            }
        });
        Map<String, Object> removal = Map.of("Records", List.of(Map.of("eventName", "ObjectRemoved:Delete",
                "s3", Map.of("bucket", Map.of("name", bucket.getFileName().toString()),
                        "object", Map.of("key", "events/events-1.jsonl")))));
        assertEquals(List.of(), h.handleRequest(removal, null).get("runs"));
        assertEquals(false, java.nio.file.Files.exists(bucket.resolve("state")), "nothing was processed");
    }

    @Test
    void corruptObjectDoesNotFailTheInvocation() throws Exception {
        Files.createDirectories(bucket.resolve("events"));
        Files.write(bucket.resolve("events/bad.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0});
        LocalFolderStore real = new LocalFolderStore(bucket);
        S3EventHandler h = handler(new io.sessionlake.testing.InterceptingStore(real, k -> { }) {
            @Override
            public String location() {
                return "s3://" + bucket.getFileName();
            }
        });
        Map<String, Object> result = h.handleRequest(event("events/bad.gz"), null);
        assertEquals("failed", ((Map<?, ?>) ((List<?>) result.get("runs")).get(0)).get("outcome"));
    }
}
