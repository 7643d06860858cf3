package io.sessionlake.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.testing.S3Server;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The S3 adapter against a real S3 protocol server: the operations and the conditional writes it relies on. */
class S3StoreTest {
    private S3Store store;

    @BeforeEach
    void freshBucket() throws Exception {
        store = S3Server.shared().newBucket("store-test");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void listReturnsOnlyKeysUnderThePrefixInKeyOrder() throws Exception {
        store.put("events/b.jsonl", utf8("b"), "text/plain");
        store.put("events/a.jsonl", utf8("a"), "text/plain");
        store.put("other/c.jsonl", utf8("c"), "text/plain");
        assertEquals(List.of("events/a.jsonl", "events/b.jsonl"),
                store.list("events/").stream().map(ObjectStore.ObjectInfo::key).toList());
    }

    @Test
    void openStreamsTheObject() throws Exception {
        byte[] big = new byte[3 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        store.put("events/big.bin", big, "application/octet-stream");
        try (InputStream in = store.open("events/big.bin")) {
            assertArrayEquals(big, in.readAllBytes());
        }
    }

    @Test
    void aRangedReadGivesExactlyTheBytesOfTheRange() throws Exception {
        store.put("state/customers/pack.bin", utf8("0123456789"), "application/octet-stream");
        assertArrayEquals(utf8("3456"), store.readRange("state/customers/pack.bin", 3, 4).orElseThrow());
        assertArrayEquals(utf8("9"), store.readRange("state/customers/pack.bin", 9, 1).orElseThrow());
        assertTrue(store.readRange("state/customers/nope.bin", 0, 1).isEmpty());
    }

    @Test
    void aRangePastTheEndOfTheObjectIsAnEndOfFile() throws Exception {
        store.put("state/customers/pack.bin", utf8("0123456789"), "application/octet-stream");
        assertThrows(java.io.EOFException.class, () -> store.readRange("state/customers/pack.bin", 8, 4));
        assertThrows(java.io.EOFException.class, () -> store.readRange("state/customers/pack.bin", 20, 4));
    }

    @Test
    void missingObjectIsEmptyOrNotFound() throws Exception {
        assertTrue(store.stat("nope").isEmpty());
        assertTrue(store.read("nope").isEmpty());
        assertThrows(ObjectNotFoundException.class, () -> store.open("nope").close());
    }

    @Test
    void statGivesTheEtagThatReadGives() throws Exception {
        store.put("k", utf8("hello"), "text/plain");
        assertEquals(store.read("k").orElseThrow().etag(), store.stat("k").orElseThrow().etag());
        assertEquals(5, store.stat("k").orElseThrow().size());
    }

    @Test
    void createIfAbsentFailsWhenTheObjectExists() throws Exception {
        store.putIfUnchanged("state/state.bin", utf8("one"), null, "application/octet-stream");
        assertThrows(ConcurrentUpdateException.class,
                () -> store.putIfUnchanged("state/state.bin", utf8("two"), null, "application/octet-stream"));
        assertArrayEquals(utf8("one"), store.read("state/state.bin").orElseThrow().bytes());
    }

    @Test
    void updateWithAStaleEtagFails() throws Exception {
        String first = store.putIfUnchanged("state/state.bin", utf8("one"), null, "application/octet-stream");
        String second = store.putIfUnchanged("state/state.bin", utf8("two"), first, "application/octet-stream");
        assertNotEquals(first, second);
        assertThrows(ConcurrentUpdateException.class,
                () -> store.putIfUnchanged("state/state.bin", utf8("three"), first, "application/octet-stream"));
        assertArrayEquals(utf8("two"), store.read("state/state.bin").orElseThrow().bytes());
    }

    @Test
    void updateOfAnObjectDeletedMeanwhileIsALostRaceNotAStorageFailure() throws Exception {
        String first = store.putIfUnchanged("state/turn.json", utf8("one"), null, "application/json");
        store.delete("state/turn.json");
        assertThrows(ConcurrentUpdateException.class,
                () -> store.putIfUnchanged("state/turn.json", utf8("two"), first, "application/json"));
        assertTrue(store.stat("state/turn.json").isEmpty());
    }

    @Test
    void aConditionalWriteIntoAMissingBucketIsAStorageFailureNotALostRace() throws Exception {
        try (software.amazon.awssdk.services.s3.S3Client client = S3Server.shared().client()) {
            S3Store nowhere = new S3Store(client, "no-such-bucket-" + System.nanoTime());
            java.io.IOException e = assertThrows(java.io.IOException.class,
                    () -> nowhere.putIfUnchanged("state/turn.json", utf8("two"), "0123", "application/json"));
            assertTrue(!(e instanceof ConcurrentUpdateException), e.toString());
        }
    }

    @Test
    void deleteRemovesTheObject() throws Exception {
        store.put("sessions/x.parquet", utf8("x"), "application/octet-stream");
        store.delete("sessions/x.parquet");
        assertTrue(store.stat("sessions/x.parquet").isEmpty());
    }

    @Test
    void aLimitedListingReceivesNoMoreKeysFromS3ThanTheLimit() throws Exception {
        S3Server server = S3Server.shared();
        String bucket = "limited-list-" + System.nanoTime();
        server.createBucket(bucket);
        java.util.concurrent.atomic.AtomicInteger keysReceived = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        software.amazon.awssdk.core.interceptor.ExecutionInterceptor counter =
                new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
                    @Override
                    public void afterUnmarshalling(software.amazon.awssdk.core.interceptor.Context.AfterUnmarshalling c,
                            software.amazon.awssdk.core.interceptor.ExecutionAttributes a) {
                        if (c.response() instanceof software.amazon.awssdk.services.s3.model.ListObjectsV2Response page) {
                            requests.incrementAndGet();
                            keysReceived.addAndGet(page.contents().size());
                        }
                    }
                };
        software.amazon.awssdk.services.s3.S3Client client = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(server.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .forcePathStyle(true)
                .serviceConfiguration(c -> c.chunkedEncodingEnabled(false))
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(S3Server.ACCESS_KEY,
                                S3Server.SECRET_KEY)))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.addExecutionInterceptor(counter))
                .build();
        S3Store counted = new S3Store(client, bucket);
        for (int i = 0; i < 40; i++) {
            counted.put(String.format("events/many/part-%03d.jsonl", i), utf8("x"), "text/plain");
        }
        counted.put("events/many/", new byte[0], "application/x-directory"); // a folder marker, first in key order

        List<String> first = counted.list("events/many/", 11).stream().map(ObjectStore.ObjectInfo::key).toList();
        assertEquals(11, first.size());
        assertEquals("events/many/part-000.jsonl", first.get(0), "the folder marker is no object");
        assertEquals("events/many/part-010.jsonl", first.get(10));
        assertTrue(keysReceived.get() <= 12, "S3 sent " + keysReceived.get() + " keys for a listing of 11");

        keysReceived.set(0);
        requests.set(0);
        assertEquals(40, counted.list("events/many/").size());
        assertEquals(41, keysReceived.get(), "the whole listing reads every key, the marker too");
    }
}
