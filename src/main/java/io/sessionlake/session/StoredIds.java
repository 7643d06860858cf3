package io.sessionlake.session;

import java.io.IOException;
import org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter;

/**
 * A leaf of the dedupe window as stored: a Bloom filter of its ids, checked once when the leaf is read, and the block
 * of ids and minutes, decoded only when the filter cannot rule an id out. A run asks each generation of the window
 * about each id it sees (a thousand ids, a dozen generations), and nearly every answer is "not here": the filter
 * gives it without decoding tens of thousands of ids. Its content never changes and its probes are synchronized, so a
 * processor keeps it across runs ({@link LeafSource#keep}).
 */
final class StoredIds implements LeafSource.Decoded {
    /** Null for a leaf of the first layout ({@code SLI1}), which has no filter: it may hold any id. */
    private final BlockSplitBloomFilter filter;
    private final byte[] stored;
    private final int blockFrom;
    private final int filterBytes;

    StoredIds(BlockSplitBloomFilter filter, int filterBytes, byte[] stored, int blockFrom) {
        this.filter = filter;
        this.filterBytes = filterBytes;
        this.stored = stored;
        this.blockFrom = blockFrom;
    }

    /**
     * Hashes ids as every leaf's filter does (parquet-java's default, XXH64 with seed 0): an id is hashed once and
     * probed in each generation with the hash. One per thread: parquet's filter hashes through a buffer of its own.
     */
    private static final ThreadLocal<BlockSplitBloomFilter> HASHER = ThreadLocal.withInitial(
            () -> new BlockSplitBloomFilter(BlockSplitBloomFilter.LOWER_BOUND_BYTES));

    static long hashOf(long id) {
        return HASHER.get().hash(id);
    }

    /**
     * False only when the leaf certainly does not hold the id of this hash ({@link #hashOf}). Synchronized on the
     * filter: parquet's filter probes through a mask array of its own, and a processor's leaves are shared by the runs
     * of its cache (two runs at once in one JVM, as the CLI and tests may have, would garble each other's masks and
     * let a duplicate in).
     */
    boolean mightHoldHash(long hash) {
        if (filter == null) {
            return true;
        }
        synchronized (filter) {
            return filter.findHash(hash);
        }
    }

    /** False only when the leaf certainly does not hold {@code id}. */
    boolean mightHold(long id) {
        return mightHoldHash(hashOf(id));
    }

    /** The ids and minutes, in the sorted arrays they were written from. */
    SeenIds decode() throws IOException {
        return LeafCodec.decodeIdBlock(stored, blockFrom);
    }

    @Override
    public byte[] stored() {
        return stored;
    }

    @Override
    public long heldBytes() {
        return stored.length + filterBytes; // the filter is a copy: the library's filter owns its array
    }
}
