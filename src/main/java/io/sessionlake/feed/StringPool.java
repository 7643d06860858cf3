package io.sessionlake.feed;

/**
 * A small direct-mapped cache that hands out one shared instance for repeated strings (user agents,
 * pages, referrers, types). Open sessions keep these strings for days, and a feed repeats them millions
 * of times: sharing them is most of the state's memory. Bounded: a colliding string simply replaces the slot.
 */
final class StringPool {
    private final String[] slots;
    private final int mask;

    StringPool(int capacityPowerOfTwo) {
        slots = new String[capacityPowerOfTwo];
        mask = capacityPowerOfTwo - 1;
    }

    /**
     * The pooled string for ASCII/Latin-1 bytes, made only when it is not pooled yet: the feed repeats the
     * same user agents and pages millions of times, and most of them need no new String at all.
     */
    String intern(byte[] b, int start, int len) {
        int h = 0;
        for (int i = start; i < start + len; i++) {
            h = 31 * h + (b[i] & 0xff);
        }
        int i = (h ^ (h >>> 16)) & mask;
        String cached = slots[i];
        if (cached != null && cached.length() == len && sameChars(cached, b, start)) {
            return cached;
        }
        String s = new String(b, start, len, java.nio.charset.StandardCharsets.ISO_8859_1);
        slots[i] = s;
        return s;
    }

    private static boolean sameChars(String s, byte[] b, int start) {
        for (int k = 0; k < s.length(); k++) {
            if (s.charAt(k) != (char) (b[start + k] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    String intern(String s) {
        if (s == null) {
            return null;
        }
        int h = s.hashCode();
        int i = (h ^ (h >>> 16)) & mask;
        String cached = slots[i];
        if (cached != null && cached.equals(s)) {
            return cached;
        }
        slots[i] = s;
        return s;
    }
}
