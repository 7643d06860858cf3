package io.sessionlake.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.io.UncheckedIOException;
import org.xerial.snappy.SnappyError;
import org.xerial.snappy.SnappyInputStream;
import org.xerial.snappy.SnappyOutputStream;

/**
 * Binary encoding of {@link SessionState}: versioned, compressed, deterministic (customers and ids in order),
 * so the same state always gives the same bytes. Ids and times are varint deltas: they are dense.
 * Private to sessionlake; never read by analysts.
 *
 * <p>Snappy rather than deflate since format 3: the state is encoded at the end of every run and decoded at
 * the start of the next, and Snappy does both several times faster for a third more bytes.
 */
public final class StateCodec {
    /** Deflate-compressed states (format 2), still read. */
    private static final byte[] MAGIC_DEFLATE = {'S', 'L', 'S', 'T'};
    private static final byte[] MAGIC = {'S', 'L', 'S', 'N'};
    /** Format 3 writes repeated strings once (see {@link StateBytes.Writer#sharedString}); 2 is still read. */
    private static final int FORMAT = 3;
    private static final int FORMAT_WITHOUT_SHARED_STRINGS = 2;

    private StateCodec() {
    }

    public static byte[] encode(SessionState s) {
        ByteArrayOutputStream packed = new ByteArrayOutputStream(1 << 20);
        packed.writeBytes(MAGIC);
        try (SnappyOutputStream z = new SnappyOutputStream(packed, 1 << 16)) {
            StateBytes.Writer w = new StateBytes.Writer(z);
            encodeInto(s, w);
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding state in memory", e);
        }
        return packed.toByteArray();
    }

    private static void encodeInto(SessionState s, StateBytes.Writer w) {
        w.varInt(FORMAT);
        w.varLong(s.sequence);
        w.varLong(s.watermark);
        w.varLong(s.config.inactivity().toNanos());
        w.varLong(s.config.horizon().toNanos());
        w.varInt(s.ledger.size());
        for (Map.Entry<String, String> e : s.ledger.entrySet()) {
            w.string(e.getKey());
            w.string(e.getValue());
        }
        writeLongMap(w, s.seenEvents);
        w.varInt(s.finalizedDurationsByHost.size());
        for (Map.Entry<String, LongLongMap> e : s.finalizedDurationsByHost.entrySet()) {
            w.string(e.getKey());
            writeLongMap(w, e.getValue());
        }
        CustomerHistory[] customers = s.customers.sortedById();
        w.varInt(customers.length);
        long prev = 0;
        for (CustomerHistory c : customers) {
            w.varLong(c.customerId() - prev);
            prev = c.customerId();
            writeCustomer(w, c);
        }
    }

    public static SessionState decode(InputStream raw) throws IOException {
        byte[] magic = raw.readNBytes(MAGIC.length);
        boolean snappy = Arrays.equals(magic, MAGIC);
        if (!snappy && !Arrays.equals(magic, MAGIC_DEFLATE)) {
            throw new IOException("not a sessionlake state object (bad magic number)");
        }
        try {
            InputStream plain = snappy ? new SnappyInputStream(raw) : new InflaterInputStream(raw, new Inflater(), 1 << 16);
            return decodeFrom(new StateBytes.Reader(plain), snappy ? FORMAT : FORMAT_WITHOUT_SHARED_STRINGS);
        } catch (java.util.zip.ZipException | SnappyError e) { // snappy-java reports bad input as an Error
            throw new IOException("corrupt state: " + e.getMessage(), e);
        }
    }

    private static SessionState decodeFrom(StateBytes.Reader r, int expectedFormat) throws IOException {
        int format = r.varInt();
        if (format != expectedFormat) {
            throw new IOException("state format " + format + " is not supported here (expected " + expectedFormat + ")");
        }
        long sequence = r.varLong();
        long watermark = r.varLong();
        SessionConfig config = new SessionConfig(Duration.ofNanos(r.varLong()), Duration.ofNanos(r.varLong()));
        TreeMap<String, String> ledger = new TreeMap<>();
        int ledgerSize = r.varInt();
        for (int i = 0; i < ledgerSize; i++) {
            ledger.put(r.string(), r.string());
        }
        LongLongMap seen = readLongMap(r);
        TreeMap<String, LongLongMap> hosts = new TreeMap<>();
        int hostCount = r.varInt();
        for (int i = 0; i < hostCount; i++) {
            hosts.put(r.string(), readLongMap(r));
        }
        int customerCount = r.varInt();
        CustomerIndex customers = new CustomerIndex(Math.max(16, customerCount));
        long id = 0;
        for (int i = 0; i < customerCount; i++) {
            id += r.varLong();
            if (customers.get(id) != null) {
                throw new IOException("corrupt state: customer " + id + " twice");
            }
            customers.insert(readCustomer(r, id, format == FORMAT));
        }
        if (!r.atEnd()) {
            throw new IOException("corrupt state: trailing bytes");
        }
        return new SessionState(config, sequence, watermark, ledger, seen, customers, hosts);
    }

    private static void writeCustomer(StateBytes.Writer w, CustomerHistory c) {
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

    private static CustomerHistory readCustomer(StateBytes.Reader r, long customerId, boolean sharedStrings)
            throws IOException {
        int sessions = r.varInt();
        boolean purchased = r.bool();
        long[] durations = new long[r.varInt()];
        for (int i = 0; i < durations.length; i++) {
            durations[i] = r.varLong();
        }
        int openCount = r.varInt();
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

    private static void writeLongMap(StateBytes.Writer w, LongLongMap map) {
        long[] keys = new long[map.size()];
        int[] n = {0};
        map.forEach((k, v) -> keys[n[0]++] = k);
        Arrays.sort(keys);
        w.varInt(keys.length);
        long prevKey = 0;
        long prevValue = 0;
        for (long k : keys) {
            long v = map.get(k, 0);
            w.varLong(k - prevKey);
            w.varLong(v - prevValue);
            prevKey = k;
            prevValue = v;
        }
    }

    private static LongLongMap readLongMap(StateBytes.Reader r) throws IOException {
        int size = r.varInt();
        LongLongMap map = new LongLongMap(Math.max(16, size));
        long key = 0;
        long value = 0;
        for (int i = 0; i < size; i++) {
            key += r.varLong();
            value += r.varLong();
            map.put(key, value);
        }
        return map;
    }

}
