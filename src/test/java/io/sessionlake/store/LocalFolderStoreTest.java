package io.sessionlake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local ETags: one content digest whichever way an object is reached, and a new one for new content. */
class LocalFolderStoreTest {
    @TempDir
    Path bucket;

    @Test
    void statAndReadGiveTheSameEtagForEmptySmallAndMultiWindowObjects() throws Exception {
        LocalFolderStore store = new LocalFolderStore(bucket);
        byte[] large = new byte[(64 << 20) + 12_345]; // more than one 64 MiB hashing window
        new Random(7).nextBytes(large);
        for (byte[] content : new byte[][] {new byte[0], "{\"id\": 1}\n".getBytes(), large}) {
            store.put("events/x.jsonl", content, "application/x-ndjson");
            String viaStat = store.stat("events/x.jsonl").orElseThrow().etag();
            assertEquals(store.read("events/x.jsonl").orElseThrow().etag(), viaStat);
            assertEquals(expected(content), viaStat);
        }
    }

    @Test
    void aRangedReadGivesExactlyTheBytesOfTheRangeAndAShortObjectIsAnEndOfFile() throws Exception {
        LocalFolderStore store = new LocalFolderStore(bucket);
        store.put("state/ids/pack.bin", "0123456789".getBytes(java.nio.charset.StandardCharsets.UTF_8), "x");
        org.junit.jupiter.api.Assertions.assertArrayEquals("3456".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                store.readRange("state/ids/pack.bin", 3, 4).orElseThrow());
        assertEquals(java.util.Optional.empty(), store.readRange("state/ids/nope.bin", 0, 1));
        org.junit.jupiter.api.Assertions.assertThrows(java.io.EOFException.class,
                () -> store.readRange("state/ids/pack.bin", 8, 4));
    }

    @Test
    void changingOneByteChangesTheEtag() throws Exception {
        LocalFolderStore store = new LocalFolderStore(bucket);
        byte[] content = new byte[(64 << 20) + 100];
        store.put("events/y.jsonl", content, "application/x-ndjson");
        String before = store.stat("events/y.jsonl").orElseThrow().etag();
        content[content.length - 1] = 1; // in the last window
        Files.write(bucket.resolve("events/y.jsonl"), content);
        Files.setLastModifiedTime(bucket.resolve("events/y.jsonl"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        assertNotEquals(before, new LocalFolderStore(bucket).stat("events/y.jsonl").orElseThrow().etag());
    }

    @Test
    void aConditionalWriteOverAnOlderVersionIsRefused() throws Exception {
        LocalFolderStore store = new LocalFolderStore(bucket);
        String first = store.putIfUnchanged("state/state.bin", new byte[] {1}, null, "application/octet-stream");
        store.putIfUnchanged("state/state.bin", new byte[] {2}, first, "application/octet-stream");
        assertThrows(ConcurrentUpdateException.class,
                () -> store.putIfUnchanged("state/state.bin", new byte[] {3}, first, "application/octet-stream"));
    }

    @Test
    void aConditionalWriteOverAVersionDeletedMeanwhileIsRefused() throws Exception {
        LocalFolderStore store = new LocalFolderStore(bucket);
        String first = store.putIfUnchanged("state/turn.json", new byte[] {1}, null, "application/json");
        store.delete("state/turn.json");
        assertThrows(ConcurrentUpdateException.class,
                () -> store.putIfUnchanged("state/turn.json", new byte[] {2}, first, "application/json"));
    }

    private static String expected(byte[] content) {
        CRC32C castagnoli = new CRC32C();
        castagnoli.update(content);
        CRC32 ieee = new CRC32();
        ieee.update(content);
        return String.format("%08x%08x-%x", castagnoli.getValue(), ieee.getValue(), content.length);
    }

    @Test
    void aLimitedListingGivesTheFirstKeysInKeyOrderWhateverTheFolders() throws Exception {
        LocalFolderStore store = new LocalFolderStore(bucket);
        // '-' sorts before '/': "events/a-z" comes before "events/a/..." although a walk may meet it later
        List<String> keys = List.of("events/a/2.jsonl", "events/a-z.jsonl", "events/a/1.jsonl", "events/b.jsonl",
                "events/0.jsonl", "other/0.jsonl");
        for (String key : keys) {
            store.put(key, new byte[] {1}, "application/x-ndjson");
        }
        assertEquals(List.of("events/0.jsonl", "events/a-z.jsonl", "events/a/1.jsonl"),
                store.list("events/", 3).stream().map(ObjectStore.ObjectInfo::key).toList());
        assertEquals(store.list("events/"), store.list("events/", 100));
        assertEquals(List.of(), store.list("events/", 0));
    }
}
