package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * A leaf of the dedupe window (sorted arrays as read, a map of what the run adds) answers as one map of every id would,
 * and is written as such a map was.
 */
class SeenIdsProperties {

    @Property(tries = 500)
    void answersAndKeepsWhatOneMapOfEveryIdWould(@ForAll long seed) throws IOException {
        Random r = new Random(seed);
        LongIntMap reference = new LongIntMap();
        // ids from a narrow range (repeats) or anywhere (the extremes of long included)
        long[] pool = {Long.MIN_VALUE, Long.MAX_VALUE, -1, 0, 1};
        SeenIds leaf = new SeenIds();
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 1 + r.nextInt(60); i++) {
                long id = r.nextInt(4) == 0 ? pool[r.nextInt(pool.length)] : r.nextInt(50) - 10;
                int minute = r.nextInt(4) == 0 ? Integer.MIN_VALUE + r.nextInt(3) : r.nextInt(100);
                int floor = r.nextInt(100) - 20;
                assertEquals(reference.putUnlessAtLeast(id, minute, floor), leaf.putUnlessAtLeast(id, minute, floor),
                        "put " + id + " at " + minute + " over " + floor);
                long probe = r.nextInt(50) - 10;
                assertEquals(reference.get(probe, -7), leaf.minuteOf(probe, -7));
            }
            assertEquals(reference.size(), leaf.size());
            int floor = r.nextInt(60) - 10;
            reference = withMinutesAtLeast(reference, floor);
            leaf.retainMinutesAtLeast(floor);
            long[] ids = reference.sortedKeys();
            assertArrayEquals(ids, Arrays.copyOf(leaf.sortedIds(), leaf.mergedCount()));
            for (int i = 0; i < ids.length; i++) {
                assertEquals(reference.get(ids[i], 0), leaf.minutesByPlace()[i]);
            }
            // written and read back: the same leaf, as the map it replaces was written
            byte[] written = LeafCodec.encodeIds(leaf.sortedIds(), leaf.minutesByPlace(), 0, leaf.mergedCount());
            assertArrayEquals(asTheMapWasWritten(reference), written);
            leaf = LeafCodec.decodeIds(written);
            assertArrayEquals(ids, Arrays.copyOf(leaf.sortedIds(), leaf.mergedCount()));
        }
    }

    /** The reference map without the ids whose minute is below {@code floor}, as the window was cut until now. */
    private static LongIntMap withMinutesAtLeast(LongIntMap window, int floor) {
        LongIntMap kept = new LongIntMap();
        window.forEach((id, minute) -> {
            if (minute >= floor) {
                kept.put(id, minute);
            }
        });
        return kept;
    }

    /** How a leaf was written from one map of its ids until now: each id and minute from the previous, in id order. */
    private static byte[] asTheMapWasWritten(LongIntMap window) {
        long[] ids = window.sortedKeys();
        return LeafCodec.block(LeafCodec.IDS_MAGIC, w -> {
            w.varInt(ids.length);
            long prevId = 0;
            long prevMinute = 0;
            for (long id : ids) {
                int minute = window.get(id, 0);
                w.varLong(id - prevId);
                w.varLong(minute - prevMinute);
                prevId = id;
                prevMinute = minute;
            }
        });
    }

    @Test
    void aLeafWithIdsOutOfOrderIsRefused() {
        byte[] unordered = LeafCodec.block(LeafCodec.IDS_MAGIC, w -> {
            w.varInt(2);
            w.varLong(5);
            w.varLong(1);
            w.varLong(-1); // 4 after 5
            w.varLong(0);
        });
        IOException e = assertThrows(IOException.class, () -> LeafCodec.decodeIds(unordered));
        assertEquals("corrupt state leaf: event id 4 after 5", e.getMessage());
    }
}
