package io.sessionlake.feed;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A small two-way cache that hands out one shared instance for repeated strings (user agents,
 * pages, referrers, types). Open sessions keep these strings for days, and a feed repeats them millions
 * of times: sharing them is most of the state's memory, and a hit makes no String at all.
 * Bounded: a colliding string simply replaces the slot.
 */
final class StringPool {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long MIX = 0x9E3779B97F4A7C15L;

    private final byte[][] keys;
    private final String[] values;
    private final String[] strings;
    private final int mask;
    private final boolean lowerCase;

    private StringPool(int capacityPowerOfTwo, boolean lowerCase) {
        keys = new byte[capacityPowerOfTwo][];
        values = new String[capacityPowerOfTwo];
        strings = new String[capacityPowerOfTwo];
        mask = capacityPowerOfTwo - 1;
        this.lowerCase = lowerCase;
    }

    StringPool(int capacityPowerOfTwo) {
        this(capacityPowerOfTwo, false);
    }

    /**
     * A pool whose strings are the lower-case form of the bytes looked up (event types are compared so),
     * known types as their {@link EventTypes} constants.
     */
    static StringPool lowerCasing(int capacityPowerOfTwo) {
        return new StringPool(capacityPowerOfTwo, true);
    }

    /** The pooled string for Latin-1 bytes; keyed on the bytes, so a hit costs one hash and one compare. */
    String intern(byte[] b, int start, int len) {
        int i = hash(b, start, len) & mask;
        byte[] k = keys[i];
        if (k != null && Arrays.equals(k, 0, k.length, b, start, start + len)) {
            return values[i];
        }
        int j = i ^ 1;
        k = keys[j];
        if (k != null && Arrays.equals(k, 0, k.length, b, start, start + len)) {
            return values[j];
        }
        String s = new String(b, start, len, StandardCharsets.ISO_8859_1);
        if (lowerCase) {
            s = EventTypes.canonical(s.toLowerCase(Locale.ROOT));
        }
        // two ways: the newcomer takes the first slot and the value it displaces the second, so two
        // values that share a slot, both in use, do not evict each other on every line
        if (keys[i] != null) {
            keys[j] = keys[i];
            values[j] = values[i];
        }
        keys[i] = Arrays.copyOfRange(b, start, start + len);
        values[i] = s;
        return s;
    }

    /** The pooled instance equal to {@code s} (not case-folded), for strings the general parser made. */
    String intern(String s) {
        if (s == null) {
            return null;
        }
        int h = s.hashCode();
        int i = (h ^ (h >>> 16)) & mask;
        String cached = strings[i];
        if (cached != null && cached.equals(s)) {
            return cached;
        }
        strings[i] = s;
        return s;
    }

    /**
     * A hash of the length and four eight-byte words spread over the value (both ends and two inside):
     * user agents are long and this runs for several fields of every line, so it does not read every
     * byte. Values that collide only share a slot; the compare on a hit reads them whole.
     */
    private static int hash(byte[] b, int start, int len) {
        long h = len * MIX;
        if (len >= 8) {
            int last = start + len - 8;
            h = (h ^ (long) LONGS.get(b, start)) * MIX;
            h = (h ^ (long) LONGS.get(b, start + (len - 8) / 3)) * MIX;
            h = (h ^ (long) LONGS.get(b, start + 2 * (len - 8) / 3)) * MIX;
            h = (h ^ (long) LONGS.get(b, last)) * MIX;
        } else {
            for (int i = start; i < start + len; i++) {
                h = (h ^ b[i]) * MIX;
            }
        }
        // A product only mixes upwards: the high bytes of the last word reached only the top bits, above
        // the ones a small pool's slot is taken from, and pages differing only in their last digits shared
        // a slot. Folding the high half down and multiplying again puts every input bit into the result.
        h = (h ^ (h >>> 32)) * MIX;
        return (int) (h >>> 32);
    }
}
