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
