package io.sessionlake.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.io.UncheckedIOException;

/**
 * Binary encoding of {@link SessionState}: versioned, deflated, deterministic (customers and ids in order),
 * so the same state always gives the same bytes. Ids and times are varint deltas: they are dense.
 * Private to sessionlake; never read by analysts.
 */
public final class StateCodec {
    private static final byte[] MAGIC = {'S', 'L', 'S', 'T'};
    private static final int FORMAT = 2;

    private StateCodec() {
    }

    public static byte[] encode(SessionState s) {
        ByteArrayOutputStream packed = new ByteArrayOutputStream(1 << 16);
        packed.writeBytes(MAGIC);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (DeflaterOutputStream z = new DeflaterOutputStream(packed, deflater, 1 << 16)) {
            StateBytes.Writer w = new StateBytes.Writer(z);
            encodeInto(s, w);
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding state in memory", e);
        } finally {
            deflater.end();
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
        long[] ids = new long[s.customers.size()];
        int n = 0;
        for (Long id : s.customers.keySet()) {
            ids[n++] = id;
        }
        Arrays.sort(ids);
        w.varInt(ids.length);
        long prev = 0;
        for (long id : ids) {
            w.varLong(id - prev);
            prev = id;
            writeCustomer(w, s.customers.get(id));
        }
    }

    public static SessionState decode(InputStream raw) throws IOException {
        if (!Arrays.equals(raw.readNBytes(MAGIC.length), MAGIC)) {
            throw new IOException("not a sessionlake state object (bad magic number)");
        }
        try {
            return decodeFrom(new StateBytes.Reader(new InflaterInputStream(raw, new Inflater(), 1 << 16)));
        } catch (java.util.zip.ZipException e) {
            throw new IOException("corrupt state: " + e.getMessage(), e);
        }
    }

    private static SessionState decodeFrom(StateBytes.Reader r) throws IOException {
        int format = r.varInt();
        if (format != FORMAT) {
            throw new IOException("state format " + format + " is not supported by this version (expects " + FORMAT + ")");
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
        HashMap<Long, CustomerHistory> customers = new HashMap<>(Math.max(16, customerCount * 4 / 3 + 1));
        long id = 0;
        for (int i = 0; i < customerCount; i++) {
            id += r.varLong();
            customers.put(id, readCustomer(r, id));
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
            w.string(o.userAgent);
            w.string(o.ip);
            w.string(o.page);
            if (o.page != null) {
                w.varLong(o.pageTime - o.firstTime);
                w.varLong(o.pageId);
            }
            w.string(o.referrer);
            if (o.referrer != null) {
                w.varLong(o.referrerTime - o.firstTime);
                w.varLong(o.referrerId);
            }
        }
    }

    private static CustomerHistory readCustomer(StateBytes.Reader r, long customerId) throws IOException {
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
            o.userAgent = r.string();
            o.ip = r.string();
            o.page = r.string();
            o.pageTime = Long.MAX_VALUE;
            if (o.page != null) {
                o.pageTime = o.firstTime + r.varLong();
                o.pageId = r.varLong();
            }
            o.referrer = r.string();
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
