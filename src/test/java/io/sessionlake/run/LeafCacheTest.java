package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sessionlake.session.LeafRef;
import org.junit.jupiter.api.Test;

/** The leaf cache holds at most its budget of bytes, the least recently used leaves out first. */
class LeafCacheTest {
    private static LeafRef at(long offset) {
        return new LeafRef("state/customers/pack-r000000000001-x.bin", offset, 1, 0, offset, 4);
    }

    @Test
    void theLeastRecentlyUsedLeafGoesWhenTheBudgetIsExceeded() {
        LeafCache cache = new LeafCache(10);
        cache.put(at(0), new byte[] {0, 0, 0, 0});
        cache.put(at(4), new byte[] {4, 4, 4, 4});
        assertArrayEquals(new byte[] {0, 0, 0, 0}, cache.get(at(0))); // now the most recent
        cache.put(at(8), new byte[] {8, 8, 8, 8});
        assertNull(cache.get(at(4)), "the least recently used went");
        assertArrayEquals(new byte[] {0, 0, 0, 0}, cache.get(at(0)));
        assertArrayEquals(new byte[] {8, 8, 8, 8}, cache.get(at(8)));
        assertEquals(8, cache.heldBytes());
    }

    @Test
    void aRemovedLeafFreesItsBytes() {
        LeafCache cache = new LeafCache(10);
        cache.put(at(0), new byte[] {0, 0, 0, 0});
        cache.put(at(4), new byte[] {4, 4, 4, 4});
        cache.remove(at(0));
        cache.remove(at(8)); // not held: nothing happens
        assertNull(cache.get(at(0)));
        assertArrayEquals(new byte[] {4, 4, 4, 4}, cache.get(at(4)));
        assertEquals(4, cache.heldBytes());
    }

    @Test
    void aLeafLargerThanTheBudgetIsNotKept() {
        LeafCache cache = new LeafCache(3);
        cache.put(at(0), new byte[] {1, 2, 3, 4});
        assertNull(cache.get(at(0)));
        assertEquals(0, cache.heldBytes());
    }

    @Test
    void aLeafOfAnotherPackAtTheSameOffsetIsAnotherLeaf() {
        LeafCache cache = new LeafCache(100);
        cache.put(at(0), new byte[] {1, 2, 3, 4});
        assertNull(cache.get(new LeafRef("state/customers/pack-r000000000002-y.bin", 0, 1, 0, 0, 4)));
    }
}
