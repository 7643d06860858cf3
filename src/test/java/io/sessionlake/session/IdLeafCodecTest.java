package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A dedupe window leaf: ids and minutes with their Bloom filter, checked as a whole; the first layout still read. */
class IdLeafCodecTest {

    private static long[] sortedIds(Random r, int n) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i == 0 ? Long.MIN_VALUE : i == n - 1 ? Long.MAX_VALUE : r.nextLong();
        }
        Arrays.sort(ids);
        return Arrays.stream(ids).distinct().toArray();
    }

    @Test
    void aLeafGivesBackItsIdsAndMinutesAndItsFilterHoldsEveryOne() throws IOException {
        Random r = new Random(7);
        long[] ids = sortedIds(r, 5_000);
        int[] minutes = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            minutes[i] = i % 3 == 0 ? Integer.MIN_VALUE : r.nextInt();
        }
        byte[] leaf = LeafCodec.encodeIds(ids, minutes, 100, 4_000);
        StoredIds stored = LeafCodec.readIdLeaf(leaf);
        SeenIds decoded = stored.decode();
        assertArrayEquals(Arrays.copyOfRange(ids, 100, 4_000), Arrays.copyOf(decoded.ids(), decoded.count()));
        assertArrayEquals(Arrays.copyOfRange(minutes, 100, 4_000), Arrays.copyOf(decoded.minutes(), decoded.count()));
        for (int i = 100; i < 4_000; i++) {
            assertTrue(stored.mightHold(ids[i]), "no false negative");
        }
        int falsePositives = 0;
        for (int i = 0; i < 100_000; i++) {
            long other = r.nextLong();
            if (Arrays.binarySearch(ids, 100, 4_000, other) < 0 && stored.mightHold(other)) {
                falsePositives++;
            }
        }
        assertTrue(falsePositives <= 300, falsePositives + " false positives in 100,000 (sized for 0.1%)");
        assertArrayEquals(leaf, LeafCodec.encodeIds(ids, minutes, 100, 4_000), "deterministic: a retry writes the same");
    }

    @Test
    void everyOneByteChangeOfALeafIsRefused() throws IOException {
        long[] ids = {-5, 3, 9, 1_000_000_007L};
        int[] minutes = {1, 2, 3, 4};
        byte[] leaf = LeafCodec.encodeIds(ids, minutes, 0, ids.length);
        LeafCodec.readIdLeaf(leaf).decode();
        for (int i = 0; i < leaf.length; i++) {
            byte[] damaged = leaf.clone();
            damaged[i] ^= 0x10;
            assertThrows(IOException.class, () -> LeafCodec.readIdLeaf(damaged), "byte " + i + " of " + leaf.length);
        }
        assertThrows(IOException.class, () -> LeafCodec.readIdLeaf(Arrays.copyOf(leaf, leaf.length - 1)));
    }

    @Test
    void aLeafOfTheFirstLayoutIsReadWithoutAFilter() throws IOException {
        byte[] first = LeafCodec.block(LeafCodec.IDS_V1_MAGIC, w -> {
            w.varInt(2);
            w.varLong(5);
            w.varLong(100);
            w.varLong(3); // id 8
            w.varLong(-1); // minute 99
        });
        StoredIds stored = LeafCodec.readIdLeaf(first);
        assertTrue(stored.mightHold(12345), "no filter: any id may be in it");
        assertEquals(100, stored.decode().minuteOf(5));
        assertEquals(99, stored.decode().minuteOf(8));
        assertEquals(DedupeWindow.NOT_HELD, stored.decode().minuteOf(6));
    }

    @Test
    void aLeafWithIdsOutOfOrderIsRefused() {
        byte[] unordered = LeafCodec.block(LeafCodec.IDS_V1_MAGIC, w -> {
            w.varInt(2);
            w.varLong(5);
            w.varLong(1);
            w.varLong(-1); // 4 after 5
            w.varLong(0);
        });
        IOException e = assertThrows(IOException.class, () -> LeafCodec.decodeIds(unordered));
        assertEquals("corrupt state leaf: event id 4 after 5", e.getMessage());
    }

    @Test
    void anIdIsHashedAsTheFiltersHashIt() {
        Random r = new Random(3);
        org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter f =
                new org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter(1024);
        for (int i = 0; i < 1_000; i++) {
            long id = r.nextLong();
            assertEquals(f.hash(id), StoredIds.hashOf(id));
        }
    }
}
