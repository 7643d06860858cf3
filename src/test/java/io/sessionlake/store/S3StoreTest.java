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
    void deleteRemovesTheObject() throws Exception {
        store.put("sessions/x.parquet", utf8("x"), "application/octet-stream");
        store.delete("sessions/x.parquet");
        assertTrue(store.stat("sessions/x.parquet").isEmpty());
    }
}
