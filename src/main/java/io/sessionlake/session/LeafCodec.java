package io.sessionlake.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import org.xerial.snappy.Snappy;

/**
 * Binary encoding of the leaves of the state: a range of customers, or a range of the dedupe window. Each leaf is
 * a magic number and one Snappy block of varints (a customer leaf also a CRC-32C of its content, {@link #checkedBlock});
 * deterministic (keys in order), so a retried run writes the same bytes. A customer leaf ({@code SLC2}) holds each customer's record behind its length, self-contained (its repeated
 * strings written once per record), so that a run reads only the customers it touches and copies the others' bytes
 * as they are; leaves of the first layout ({@code SLC1}, strings shared across the leaf) are read whole and written
 * again in the second when a run changes them. A dedupe window leaf ({@code SLI2}) carries a Bloom filter of its ids
 * and a checksum over filter and ids ({@link #encodeIds}); those of the first layout ({@code SLI1}) have neither.
 */
final class LeafCodec {
    static final byte[] CUSTOMERS_V1_MAGIC = {'S', 'L', 'C', '1'};
    static final byte[] CUSTOMERS_MAGIC = {'S', 'L', 'C', '2'};
    /** A dedupe window leaf of the first layout: one Snappy block, no filter, no checksum. */
    static final byte[] IDS_V1_MAGIC = {'S', 'L', 'I', '1'};
    /** A dedupe window leaf with its Bloom filter and a checksum ({@link #encodeIds}). */
    static final byte[] IDS_MAGIC = {'S', 'L', 'I', '2'};
    /**
     * The false positive rate a leaf's filter is sized for: a false positive costs the decoding of that leaf, and a
     * run asks about a thousand ids in each of a dozen generations. Parquet rounds a filter up to a power of two
     * bytes, so most filters do better: about two bytes an id.
     */
    static final double ID_FILTER_FPP = 0.001;

    private LeafCodec() {
    }

    /** Customers {@code from} (inclusive) to {@code to} of an array in id order. */
    static byte[] encodeCustomers(CustomerEntry[] sorted, int from, int to) {
        return new CustomerLeafEncoder().encode(sorted, from, to);
    }

    /**
     * Encodes customer leaves one after the other with the same buffers: a large object's state is a hundred thousand
     * leaves, each of which allocated its own (about 14 KB) while the rest of the run needed the heap. One thread.
     */
    static final class CustomerLeafEncoder {
        private final Plain leaf = new Plain(1 << 13);
        private final StateBytes.Writer leafWriter = new StateBytes.Writer(leaf, 1 << 12);
        private final Plain record = new Plain(1 << 10);
        private final StateBytes.Writer recordWriter = new StateBytes.Writer(record, 1 << 10);
        private byte[] packed = new byte[0];

        byte[] encode(CustomerEntry[] sorted, int from, int to) {
            leaf.reset();
            StateBytes.Writer w = leafWriter;
            w.varInt(to - from);
            long prev = 0;
            for (int i = from; i < to; i++) {
                w.varLong(sorted[i].customerId() - prev);
                prev = sorted[i].customerId();
                if (sorted[i] instanceof StoredCustomer stored) {
                    w.varInt(stored.length());
                    w.raw(stored.leaf(), stored.from(), stored.length());
                } else {
                    record.reset();
                    recordWriter.resetShared(); // each record its own table of shared strings
                    writeCustomer(recordWriter, (CustomerHistory) sorted[i]);
                    recordWriter.flush();
                    w.varInt(record.size());
                    w.raw(record.array(), 0, record.size());
                }
            }
            w.flush();
            int bound = CUSTOMERS_MAGIC.length + 4 + Snappy.maxCompressedLength(leaf.size());
            if (packed.length < bound) {
                packed = new byte[bound];
            }
            return checked(CUSTOMERS_MAGIC, leaf.array(), leaf.size(), packed);
        }
    }

    /** A leaf read from a pack that is not known (tests). */
    static CustomerIndex decodeCustomers(byte[] bytes) throws IOException {
        return decodeCustomers(bytes, "a state leaf");
    }

    /** @param key the pack the leaf was read from: named by a customer found damaged when it is read later */
    static CustomerIndex decodeCustomers(byte[] bytes, String key) throws IOException {
        StateBytes.Reader r;
        EntryReader entry;
        if (bytes.length >= CUSTOMERS_V1_MAGIC.length
                && Arrays.equals(bytes, 0, CUSTOMERS_V1_MAGIC.length, CUSTOMERS_V1_MAGIC, 0, CUSTOMERS_V1_MAGIC.length)) {
            r = open(bytes, CUSTOMERS_V1_MAGIC); // read whole
            entry = (in, id) -> readCustomer(in, id, true);
        } else {
            byte[] raw = decompressChecked(bytes, CUSTOMERS_MAGIC);
            r = new StateBytes.Reader(raw);
            entry = (in, id) -> { // kept as stored: read when the run asks for the customer
                int length = in.varInt();
                int from = in.position();
                if (!in.skip(length)) {
                    throw new IOException("corrupt state leaf: a record of " + length + " bytes past the end");
                }
                return new StoredCustomer(id, key, raw, from, length);
            };
        }
        CustomerIndex customers = readCustomers(r, entry);
        requireEnd(r);
        return customers;
    }

    /** How one customer's entry is read, after its id. */
    @FunctionalInterface
    interface EntryReader {
        CustomerEntry read(StateBytes.Reader r, long customerId) throws IOException;
    }

    /**
     * Customers as a leaf (and the single state object before leaves) holds them: their count, then each id (from the
     * previous) and entry.
     */
    static CustomerIndex readCustomers(StateBytes.Reader r, EntryReader entry) throws IOException {
        int n = r.count();
        CustomerIndex customers = new CustomerIndex(Math.max(16, n));
        long id = 0;
        for (int i = 0; i < n; i++) {
            id += r.varLong();
            if (customers.contains(id)) {
                throw new IOException("corrupt state leaf: customer " + id + " twice");
            }
            customers.insert(entry.read(r, id));
        }
        return customers;
    }

    /**
     * The end of the first open session of the customer record {@code r} is at the start of, {@link Long#MAX_VALUE}
     * when none is open: read from the head of what {@link #writeCustomer} writes, the rest left unread.
     */
    static long firstOpenEnd(StateBytes.Reader r) throws IOException {
        r.varInt(); // finalized sessions
        r.bool(); // purchased
        int durations = r.varInt();
        if (durations < 0) {
            throw new IOException("corrupt state: " + durations + " durations");
        }
        for (int i = 0; i < durations; i++) {
            r.varLong();
        }
        if (r.varInt() <= 0) {
            return Long.MAX_VALUE;
        }
        long firstTime = r.varLong();
        r.varLong(); // first id
        return firstTime + r.varLong();
    }

    /**
     * Ids {@code from} to {@code to} of a dedupe window's ids in order, with their minutes at the same places: the
     * magic number, a CRC-32C of everything after it, the length of the filter, a Bloom filter of the ids (Parquet's
     * split block filter, as a Parquet file stores one: the library's own format and hash), then the ids and minutes
     * as {@link #writeLongMap} writes a map, as one Snappy block. The checksum covers the filter, which a run trusts
     * without decoding the ids: a damaged filter could otherwise let a duplicate in unnoticed.
     */
    static byte[] encodeIds(long[] sortedIds, int[] minutes, int from, int to) {
        org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter filter =
                new org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter(
                        Math.max(1, org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter.optimalNumOfBits(
                                to - from, ID_FILTER_FPP) / 8));
        for (int i = from; i < to; i++) {
            filter.insertHash(filter.hash(sortedIds[i]));
        }
        byte[] block = block(new byte[0], w -> writePairs(w, sortedIds, minutes, from, to));
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + filter.getBitsetSize() + block.length);
        try {
            out.write(IDS_MAGIC);
            out.write(new byte[4]); // the checksum, below
            out.write(java.nio.ByteBuffer.allocate(4).putInt(filter.getBitsetSize()).array());
            filter.writeTo(out);
            out.write(block);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding state in memory", e);
        }
        byte[] leaf = out.toByteArray();
        int head = IDS_MAGIC.length + 4;
        java.nio.ByteBuffer.wrap(leaf, IDS_MAGIC.length, 4).putInt(crc32c(leaf, head, leaf.length - head));
        return leaf;
    }

    /** A dedupe leaf as stored: its filter checked and ready, its ids decoded later if a run needs them. */
    static StoredIds readIdLeaf(byte[] bytes) throws IOException {
        if (startsWith(bytes, IDS_V1_MAGIC)) {
            return new StoredIds(null, 0, bytes, IDS_V1_MAGIC.length);
        }
        int head = IDS_MAGIC.length + 4;
        if (bytes.length < head + 4 || !startsWith(bytes, IDS_MAGIC)) {
            throw new IOException("not a sessionlake state object of this kind (bad magic number)");
        }
        if (crc32c(bytes, head, bytes.length - head) != java.nio.ByteBuffer.wrap(bytes, IDS_MAGIC.length, 4).getInt()) {
            throw new IOException("corrupt state leaf: its checksum does not match its content");
        }
        int filterBytes = java.nio.ByteBuffer.wrap(bytes, head, 4).getInt();
        int filterFrom = head + 4;
        // parquet's filters are whole 32-byte blocks
        if (filterBytes < 32 || filterBytes % 32 != 0 || filterBytes > bytes.length - filterFrom) {
            throw new IOException("corrupt state leaf: a filter of " + filterBytes + " bytes");
        }
        return new StoredIds(new org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter(
                Arrays.copyOfRange(bytes, filterFrom, filterFrom + filterBytes)), filterBytes, bytes,
                filterFrom + filterBytes);
    }

    /** A dedupe leaf into the sorted arrays it was written from (tests, and leaves read whole). */
    static SeenIds decodeIds(byte[] bytes) throws IOException {
        return readIdLeaf(bytes).decode();
    }

    /** The Snappy block of ids and minutes from {@code from} to the end; ids out of order are a damaged leaf. */
    static SeenIds decodeIdBlock(byte[] bytes, int from) throws IOException {
        StateBytes.Reader r = new StateBytes.Reader(uncompress(bytes, from));
        int n = r.count();
        long[] ids = new long[n];
        int[] minutes = new int[n];
        long id = 0;
        long minute = 0;
        for (int i = 0; i < n; i++) {
            id += r.varLong();
            minute += r.varLong();
            if (minute != (int) minute) {
                throw new IOException("corrupt state: minute " + minute + " out of range");
            }
            if (i > 0 && id <= ids[i - 1]) {
                throw new IOException("corrupt state leaf: event id " + id + " after " + ids[i - 1]);
            }
            ids[i] = id;
            minutes[i] = (int) minute;
        }
        requireEnd(r);
        return new SeenIds(ids, minutes, n);
    }

    private static boolean startsWith(byte[] bytes, byte[] magic) {
        return bytes.length >= magic.length && Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length);
    }

    @FunctionalInterface
    interface Content {
        void writeTo(StateBytes.Writer w);
    }

    /** The magic number, then the content as one Snappy block. */
    static byte[] block(byte[] magic, Content content) {
        Plain raw = new Plain(1 << 12);
        StateBytes.Writer w = new StateBytes.Writer(raw, 1 << 12);
        content.writeTo(w);
        w.flush();
        try {
            // compressed in place behind the magic number: the manifest of a large state is a megabyte, each copy counts
            byte[] out = new byte[magic.length + Snappy.maxCompressedLength(raw.size())];
            System.arraycopy(magic, 0, out, 0, magic.length);
            int size = Snappy.rawCompress(raw.array(), 0, raw.size(), out, magic.length);
            return Arrays.copyOf(out, magic.length + size);
        } catch (IOException e) {
            throw new UncheckedIOException("compressing state in memory", e);
        }
    }

    /**
     * The magic number, the CRC-32C of the content, then the content as one Snappy block. The checksum is why copying
     * stored customers unread is safe: a leaf whose bytes changed in the store or on the way is refused when it is read,
     * not copied into the next version of the state (a raw Snappy block has no checksum of its own).
     */
    static byte[] checkedBlock(byte[] magic, Content content) {
        Plain raw = new Plain(1 << 13);
        StateBytes.Writer w = new StateBytes.Writer(raw, 1 << 12);
        content.writeTo(w);
        w.flush();
        return checked(magic, raw.array(), raw.size(), new byte[magic.length + 4 + Snappy.maxCompressedLength(raw.size())]);
    }

    /** The checked block of the first {@code n} bytes of {@code plain}, built in {@code scratch} (large enough). */
    private static byte[] checked(byte[] magic, byte[] plain, int n, byte[] scratch) {
        int head = magic.length + 4;
        try {
            System.arraycopy(magic, 0, scratch, 0, magic.length);
            java.nio.ByteBuffer.wrap(scratch, magic.length, 4).putInt(crc32c(plain, n));
            int size = Snappy.rawCompress(plain, 0, n, scratch, head);
            return Arrays.copyOf(scratch, head + size);
        } catch (IOException e) {
            throw new UncheckedIOException("compressing state in memory", e);
        }
    }

    /** An in-memory stream whose bytes are read in place: a leaf's content is compressed from it, not copied out. */
    private static final class Plain extends ByteArrayOutputStream {
        Plain(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }
    }

    private static byte[] decompressChecked(byte[] bytes, byte[] magic) throws IOException {
        if (bytes.length < magic.length + 4 || !Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length)) {
            throw new IOException("not a sessionlake state object of this kind (bad magic number)");
        }
        int expected = java.nio.ByteBuffer.wrap(bytes, magic.length, 4).getInt();
        byte[] plain = uncompress(bytes, magic.length + 4);
        if (crc32c(plain, plain.length) != expected) {
            throw new IOException("corrupt state leaf: its checksum does not match its content");
        }
        return plain;
    }

    /** Snappy's largest expansion: a 3-byte copy of 64 bytes. */
    private static final long MAX_SNAPPY_EXPANSION = 22;

    private static int crc32c(byte[] b, int length) {
        return crc32c(b, 0, length);
    }

    private static int crc32c(byte[] b, int from, int length) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b, from, length);
        return (int) crc.getValue();
    }

    static StateBytes.Reader open(byte[] bytes, byte[] magic) throws IOException {
        return new StateBytes.Reader(decompress(bytes, magic));
    }

    /** A block written by {@link #checkedBlock}, its checksum verified. */
    static StateBytes.Reader openChecked(byte[] bytes, byte[] magic) throws IOException {
        return new StateBytes.Reader(decompressChecked(bytes, magic));
    }

    private static byte[] decompress(byte[] bytes, byte[] magic) throws IOException {
        if (bytes.length < magic.length || !Arrays.equals(Arrays.copyOf(bytes, magic.length), magic)) {
            throw new IOException("not a sessionlake state object of this kind (bad magic number)");
        }
        return uncompress(bytes, magic.length);
    }

    /** The Snappy block from {@code offset} to the end, read in place. */
    private static byte[] uncompress(byte[] bytes, int offset) throws IOException {
        int length = bytes.length - offset;
        try {
            // a Snappy block expands at most about 21 times, so a larger length is a damaged header
            int size = Snappy.uncompressedLength(bytes, offset, length);
            if (size < 0 || size > MAX_SNAPPY_EXPANSION * length + 64) {
                throw new IOException("a block of " + length + " bytes claims " + size + " uncompressed");
            }
            byte[] plain = new byte[size];
            if (Snappy.rawUncompress(bytes, offset, length, plain, 0) != size) {
                throw new IOException("a block shorter than its header says");
            }
            return plain;
        } catch (IOException | org.xerial.snappy.SnappyError e) {
            throw new IOException("corrupt state: " + e.getMessage(), e);
        }
    }

    static void requireEnd(StateBytes.Reader r) throws IOException {
        if (!r.atEnd()) {
            throw new IOException("corrupt state: trailing bytes");
        }
    }

    static void writeLongMap(StateBytes.Writer w, LongIntMap map) {
        long[] keys = map.sortedKeys();
        int nonZero = 0;
        for (long k : keys) {
            if (map.get(k, 0) != 0) {
                keys[nonZero++] = k;
            }
        }
        writePairs(w, keys, map.valuesOf(keys, nonZero), 0, nonZero);
    }

    /** Their count, then each key and value as the difference from the previous. */
    private static void writePairs(StateBytes.Writer w, long[] keys, int[] values, int from, int to) {
        w.varInt(to - from);
        long prevKey = 0;
        long prevValue = 0;
        for (int i = from; i < to; i++) {
            w.varLong(keys[i] - prevKey);
            w.varLong(values[i] - prevValue);
            prevKey = keys[i];
            prevValue = values[i];
        }
    }

    static LongIntMap readLongMap(StateBytes.Reader r) throws IOException {
        return readLongMap(r, false);
    }

    /** @param microsToMinutes values written as event times (the dedupe window of state.bin format 2), kept as minutes */
    static LongIntMap readLongMap(StateBytes.Reader r, boolean microsToMinutes) throws IOException {
        int size = r.count();
        LongIntMap map = new LongIntMap(Math.max(16, size));
        long key = 0;
        long value = 0;
        for (int i = 0; i < size; i++) {
            key += r.varLong();
            value += r.varLong();
            if (microsToMinutes) {
                map.put(key, SessionState.minuteOf(value));
            } else if (value != (int) value) {
                throw new IOException("corrupt state: value " + value + " out of range");
            } else {
                map.put(key, (int) value);
            }
        }
        return map;
    }

    static void writeCustomer(StateBytes.Writer w, CustomerHistory c) {
        w.varInt(c.finalized.sessions);
        w.bool(c.finalized.purchased);
        long[] durations = c.finalized.durationsBeforePurchase();
        w.varInt(durations.length);
        for (long d : durations) {
            w.varLong(d);
        }
        w.varInt(c.open.size());
        for (OpenSession o : c.open) {
            w.varLong(o.firstTime);
            w.varLong(o.firstId);
            w.varLong(o.lastTime - o.firstTime);
            w.varInt(o.eventCount);
            w.varInt(o.pageViews);
            w.varInt(o.searches);
            w.varInt(o.addsToCart);
            w.varInt(o.removesFromCart);
            w.varInt(o.orders);
            w.sharedString(o.userAgent);
            w.string(o.ip);
            w.sharedString(o.page);
            if (o.page != null) {
                w.varLong(o.pageTime - o.firstTime);
                w.varLong(o.pageId);
            }
            w.sharedString(o.referrer);
            if (o.referrer != null) {
                w.varLong(o.referrerTime - o.firstTime);
                w.varLong(o.referrerId);
            }
        }
    }

    static CustomerHistory readCustomer(StateBytes.Reader r, long customerId, boolean sharedStrings)
            throws IOException {
        int sessions = r.varInt();
        boolean purchased = r.bool();
        long[] durations = new long[r.count()];
        for (int i = 0; i < durations.length; i++) {
            durations[i] = r.varLong();
        }
        int openCount = r.count();
        ArrayList<OpenSession> open = new ArrayList<>(Math.max(2, openCount));
        for (int i = 0; i < openCount; i++) {
            OpenSession o = new OpenSession();
            o.firstTime = r.varLong();
            o.firstId = r.varLong();
            o.lastTime = o.firstTime + r.varLong();
            o.eventCount = r.varInt();
            o.pageViews = r.varInt();
            o.searches = r.varInt();
            o.addsToCart = r.varInt();
            o.removesFromCart = r.varInt();
            o.orders = r.varInt();
            o.userAgent = sharedStrings ? r.sharedString() : r.string();
            o.ip = r.string();
            o.page = sharedStrings ? r.sharedString() : r.string();
            o.pageTime = Long.MAX_VALUE;
            if (o.page != null) {
                o.pageTime = o.firstTime + r.varLong();
                o.pageId = r.varLong();
            }
            o.referrer = sharedStrings ? r.sharedString() : r.string();
            o.referrerTime = Long.MAX_VALUE;
            if (o.referrer != null) {
                o.referrerTime = o.firstTime + r.varLong();
                o.referrerId = r.varLong();
            }
            open.add(o);
        }
        return new CustomerHistory(customerId, FinalizedHistory.restore(sessions, purchased, durations), open);
    }
}
