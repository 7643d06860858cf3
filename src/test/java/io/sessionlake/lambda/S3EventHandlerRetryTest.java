package io.sessionlake.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.testing.Buckets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
