package io.sessionlake.parquet;

/**
 * Parquet's RLE / bit-packing hybrid encoding, used for definition levels and dictionary ids: runs of
 * eight or more equal values become one repeated value, everything else is bit-packed in groups of eight.
 */
final class HybridEncoder {
    /** Bit-packed runs are kept to 63 groups, as parquet-mr does, so that every reader accepts them. */
    private static final int MAX_GROUPS_PER_RUN = 63;

    private HybridEncoder() {
    }

    /**
     * A dictionary of more entries than this stops paying for itself; past it a row group's column is
     * written plain, as parquet-mr's writer falls back.
     */
    static final int MAX_DICTIONARY_ENTRIES = 1 << 15;

    /**
     * The slots of the hash table a dictionary of a row group is built in: at least twice the entries it
     * can hold, a power of two. The same for every kind of column.
     */
    static int dictionaryTableSlots(int rows) {
        return Integer.highestOneBit(Math.max(16, Math.min(rows, MAX_DICTIONARY_ENTRIES) * 2)) * 2;
    }

    /** A dictionary-encoded page's values: the width of an id in one byte, then the ids of rows [from, to). */
    static void dictionaryIds(int[] ids, int from, int to, int dictionarySize, PageBytes out) {
        int bitWidth = bitWidth(Math.max(0, dictionarySize - 1));
        out.u8(bitWidth);
        encode(ids, from, to, bitWidth, out);
    }

    /** The bits needed for values 0..maxValue; 0 when there is only the value 0. */
    static int bitWidth(int maxValue) {
        return 32 - Integer.numberOfLeadingZeros(maxValue);
    }

    /** Encodes values[from, to) with the given bit width. */
    static void encode(int[] values, int from, int to, int bitWidth, PageBytes out) {
        int i = from;
        while (i < to) {
            int run = runLength(values, i, to, Integer.MAX_VALUE);
            if (run >= 8) {
                repeated(values[i], run, bitWidth, out);
                i += run;
                continue;
            }
            // a bit-packed section: groups of eight until a long run starts or the section is full
            int start = i;
            int groups = 0;
            while (i < to && groups < MAX_GROUPS_PER_RUN && (groups == 0 || runLength(values, i, to, 8) < 8)) {
                i += 8;
                groups++;
            }
            bitPacked(values, start, Math.min(i, to), groups, bitWidth, out);
            i = Math.min(i, to);
        }
    }

    private static int runLength(int[] values, int at, int to, int enough) {
        int v = values[at];
        int j = at + 1;
        while (j < to && values[j] == v && j - at < enough) {
            j++;
        }
        return j - at;
    }

    /** A run of {@code count} times {@code value} (any count from 1; encode() uses it from eight). */
    static void repeated(int value, int count, int bitWidth, PageBytes out) {
        out.unsignedVarInt(count << 1);
        for (int b = 0; b < (bitWidth + 7) / 8; b++) {
            out.u8(value >>> (8 * b));
        }
    }

    /** Values [from, to) in {@code groups} groups of eight, least significant bit first; the last padded with 0. */
    private static void bitPacked(int[] values, int from, int to, int groups, int bitWidth, PageBytes out) {
        out.unsignedVarInt((groups << 1) | 1);
        int bytes = groups * bitWidth; // eight values of bitWidth bits a group
        out.ensure(bytes);
        byte[] a = out.array();
        int at = out.size();
        long acc = 0;
        int bits = 0;
        int count = groups * 8;
        for (int k = 0; k < count; k++) {
            int i = from + k;
            long v = i < to ? values[i] & 0xFFFFFFFFL : 0;
            acc |= v << bits;
            bits += bitWidth;
            while (bits >= 8) {
                a[at++] = (byte) acc;
                acc >>>= 8;
                bits -= 8;
            }
        }
        out.skip(bytes);
    }
}
