package io.sessionlake.parquet;

import org.apache.parquet.io.api.Binary;

/**
 * Remembers the Parquet Binary of recently written strings by identity. The feed parser hands out one
 * shared instance per repeated value (user agent, page, type), so most rows find their value here and
 * skip the UTF-8 encoding. Direct-mapped and bounded; used by one writer thread.
 */
final class BinaryCache {
    private final String[] keys;
    private final Binary[] values;
    private final int mask;

    BinaryCache(int sizePowerOfTwo) {
        keys = new String[sizePowerOfTwo];
        values = new Binary[sizePowerOfTwo];
        mask = sizePowerOfTwo - 1;
    }

    Binary of(String s) {
        if (s == null) {
            return null;
        }
        int i = System.identityHashCode(s) & mask;
        if (keys[i] == s) {
            return values[i];
        }
        Binary b = Binary.fromString(s);
        keys[i] = s;
        values[i] = b;
        return b;
    }
}
