package io.sessionlake.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pool hands out one instance per repeated value: what sessions keep and what the dictionary finds by identity. */
class StringPoolTest {

    private static String intern(StringPool pool, String s) {
        byte[] b = ("xx" + s + "yy").getBytes(StandardCharsets.ISO_8859_1);
        return pool.intern(b, 2, b.length - 4);
    }

    @Test
    void valuesThatDifferOnlyInTheirLastCharactersKeepTheirInstances() {
        // a shop's pages and products: same prefix, same length, a few digits apart
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            values.add("https://xcc-webshop.com/products/" + i);
            values.add(Integer.toString(i));
        }
        StringPool pool = new StringPool(1 << 15);
        IdentityHashMap<String, Boolean> instances = new IdentityHashMap<>();
        Random r = new Random(7);
        int lookups = 200_000;
        for (int i = 0; i < lookups; i++) {
            String v = values.get(r.nextInt(values.size()));
            String pooled = intern(pool, v);
            assertEquals(v, pooled);
            instances.put(pooled, true);
        }
        // A slot shared by three values still churns, but only that: with the hash's top bytes lost, most
        // of these values shared a few slots and nearly every lookup made a new string.
        assertTrue(instances.size() < values.size() + lookups / 100,
                instances.size() + " instances for " + values.size() + " values");
    }

    @Test
    void twoValuesSharingASlotBothStay() {
        StringPool pool = new StringPool(2); // one set of two slots: every value shares it
        String a = intern(pool, "alpha");
        String b = intern(pool, "beta");
        for (int i = 0; i < 10; i++) {
            assertSame(a, intern(pool, "alpha"));
            assertSame(b, intern(pool, "beta"));
        }
        String c = intern(pool, "gamma"); // a third takes the place of one of them
        assertSame(c, intern(pool, "gamma"));
    }

    @Test
    void theTypePoolLowerCasesAndHandsOutTheConstants() {
        StringPool types = StringPool.lowerCasing(1 << 6);
        assertSame(EventTypes.PLACED_ORDER, intern(types, "Placed_Order"));
        assertSame(EventTypes.SEARCH, intern(types, "search"));
        assertEquals("brand_new", intern(types, "BRAND_NEW"));
    }
}
