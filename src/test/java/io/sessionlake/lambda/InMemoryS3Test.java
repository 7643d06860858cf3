package io.sessionlake.lambda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.store.ConcurrentUpdateException;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.store.S3Store;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The in-memory bucket the function primes itself on answers every operation S3Store makes the way S3 does,
 * through the real SDK: on AWS's own addressing (virtual-hosted, as deployed) and path-style (an endpoint
 * override, as the tests' S3-compatible server).
 */
class InMemoryS3Test {
    private static final String BUCKET = Priming.BUCKET;

    private static ObjectStore store(boolean pathStyle) {
        var builder = S3Client.builder().httpClient(new InMemoryS3(BUCKET)).region(Region.US_EAST_1)
                .forcePathStyle(pathStyle)
                .serviceConfiguration(c -> c.chunkedEncodingEnabled(false))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")));
        if (pathStyle) {
            builder.endpointOverride(URI.create("http://127.0.0.1:9"));
        }
        return new S3Store(builder.build(), BUCKET);
    }

    @ParameterizedTest(name = "path-style {0}")
    @ValueSource(booleans = {false, true})
    void whatIsWrittenIsReadListedAndDeletedUnderItsKey(boolean pathStyle) throws Exception {
        ObjectStore s = store(pathStyle);
        byte[] bytes = "{\"a\": 1}\n".getBytes(StandardCharsets.UTF_8);
        s.put("events/day one/x+y.jsonl", bytes, "application/x-ndjson");

        assertArrayEquals(bytes, s.read("events/day one/x+y.jsonl").orElseThrow().bytes());
        try (InputStream in = s.open("events/day one/x+y.jsonl")) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
        assertEquals(bytes.length, s.stat("events/day one/x+y.jsonl").orElseThrow().size());
        assertEquals(List.of("events/day one/x+y.jsonl"), s.list("events/").stream().map(ObjectStore.ObjectInfo::key).toList());
        assertTrue(s.read("state/state.bin").isEmpty());
        assertTrue(s.stat("state/state.bin").isEmpty());

        s.delete("events/day one/x+y.jsonl");
        assertTrue(s.read("events/day one/x+y.jsonl").isEmpty());
        assertEquals(List.of(), s.list(""));
    }

    @ParameterizedTest(name = "path-style {0}")
    @ValueSource(booleans = {false, true})
    void conditionalWritesSucceedOnTheVersionReadAndLoseToAnotherWriter(boolean pathStyle) throws Exception {
        ObjectStore s = store(pathStyle);
        String first = s.putIfUnchanged("state/state.bin", new byte[] {1}, null, "application/octet-stream");
        assertThrows(ConcurrentUpdateException.class,
                () -> s.putIfUnchanged("state/state.bin", new byte[] {2}, null, "application/octet-stream"));
        String second = s.putIfUnchanged("state/state.bin", new byte[] {3}, first, "application/octet-stream");
        assertThrows(ConcurrentUpdateException.class,
                () -> s.putIfUnchanged("state/state.bin", new byte[] {4}, first, "application/octet-stream"));
        assertEquals(second, s.read("state/state.bin").orElseThrow().etag());
        assertArrayEquals(new byte[] {3}, s.read("state/state.bin").orElseThrow().bytes());
    }

    @ParameterizedTest(name = "path-style {0}")
    @ValueSource(booleans = {false, true})
    void aRangedReadReturnsThoseBytesAndOnePastTheEndIsRefused(boolean pathStyle) throws Exception {
        ObjectStore s = store(pathStyle);
        byte[] pack = "0123456789".getBytes(StandardCharsets.US_ASCII);
        s.put("state/customers/pack.bin", pack, "application/octet-stream");

        assertArrayEquals("3456".getBytes(StandardCharsets.US_ASCII),
                s.readRange("state/customers/pack.bin", 3, 4).orElseThrow());
        assertArrayEquals(pack, s.readRange("state/customers/pack.bin", 0, 10).orElseThrow());
        assertThrows(java.io.EOFException.class, () -> s.readRange("state/customers/pack.bin", 8, 4));
        assertThrows(java.io.EOFException.class, () -> s.readRange("state/customers/pack.bin", 10, 1));
        assertTrue(s.readRange("state/customers/other.bin", 0, 1).isEmpty());
    }
}
