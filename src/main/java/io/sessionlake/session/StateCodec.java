package io.sessionlake.session;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * Binary encoding of {@link SessionState}: versioned, deflated, deterministic (customers in id order), so
 * the same state always gives the same bytes. Private to sessionlake; never read by analysts.
 */
public final class StateCodec {
    private static final int MAGIC = 0x534c5354; // "SLST"
    private static final int FORMAT = 1;

    private StateCodec() {
    }

    public static byte[] encode(SessionState s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                new DeflaterOutputStream(bytes, deflater, 1 << 16), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeLong(s.sequence);
            out.writeLong(s.watermark);
            out.writeLong(s.config.inactivity().toNanos());
            out.writeLong(s.config.horizon().toNanos());
            out.writeInt(s.ledger.size());
            for (Map.Entry<String, String> e : s.ledger.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
            writeLongMap(out, s.seenEvents);
            out.writeInt(s.finalizedDurationsByHost.size());
            for (Map.Entry<String, LongLongMap> e : s.finalizedDurationsByHost.entrySet()) {
                writeString(out, e.getKey());
                writeLongMap(out, e.getValue());
            }
            Long[] ids = s.customers.keySet().toArray(new Long[0]);
            Arrays.sort(ids);
            out.writeInt(ids.length);
            for (Long id : ids) {
                writeCustomer(out, s.customers.get(id));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("encoding state in memory", e);
        } finally {
            deflater.end();
        }
        return bytes.toByteArray();
    }

    public static SessionState decode(InputStream raw) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new InflaterInputStream(raw), 1 << 16))) {
            if (in.readInt() != MAGIC) {
                throw new IOException("not a sessionlake state object (bad magic number)");
            }
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IOException("state format " + format + " is not supported by this version (expects " + FORMAT + ")");
            }
            long sequence = in.readLong();
            long watermark = in.readLong();
            SessionConfig config = new SessionConfig(Duration.ofNanos(in.readLong()), Duration.ofNanos(in.readLong()));
            TreeMap<String, String> ledger = new TreeMap<>();
            int ledgerSize = in.readInt();
            for (int i = 0; i < ledgerSize; i++) {
                ledger.put(readString(in), readString(in));
            }
            LongLongMap seen = readLongMap(in);
            TreeMap<String, LongLongMap> hosts = new TreeMap<>();
            int hostCount = in.readInt();
            for (int i = 0; i < hostCount; i++) {
                hosts.put(readString(in), readLongMap(in));
            }
            int customerCount = in.readInt();
            HashMap<Long, CustomerHistory> customers = new HashMap<>(Math.max(16, customerCount * 4 / 3 + 1));
            for (int i = 0; i < customerCount; i++) {
                CustomerHistory c = readCustomer(in);
                customers.put(c.customerId(), c);
            }
            return new SessionState(config, sequence, watermark, ledger, seen, customers, hosts);
        }
    }

    private static void writeCustomer(DataOutputStream out, CustomerHistory c) throws IOException {
        out.writeLong(c.customerId());
        out.writeInt(c.finalized.sessions);
        out.writeBoolean(c.finalized.purchased);
        long[] durations = c.finalized.durationsBeforePurchase();
        out.writeInt(durations.length);
        for (long d : durations) {
            out.writeLong(d);
        }
        out.writeInt(c.open.size());
        for (OpenSession o : c.open) {
            out.writeLong(o.firstTime);
            out.writeLong(o.firstId);
            out.writeLong(o.lastTime);
            out.writeInt(o.eventCount);
            out.writeInt(o.pageViews);
            out.writeInt(o.searches);
            out.writeInt(o.addsToCart);
            out.writeInt(o.removesFromCart);
            out.writeInt(o.orders);
            writeString(out, o.userAgent);
            writeString(out, o.ip);
            out.writeLong(o.pageTime);
            out.writeLong(o.pageId);
            writeString(out, o.page);
            out.writeLong(o.referrerTime);
            out.writeLong(o.referrerId);
            writeString(out, o.referrer);
        }
    }

    private static CustomerHistory readCustomer(DataInputStream in) throws IOException {
        long customerId = in.readLong();
        int sessions = in.readInt();
        boolean purchased = in.readBoolean();
        long[] durations = new long[in.readInt()];
        for (int i = 0; i < durations.length; i++) {
            durations[i] = in.readLong();
        }
        int openCount = in.readInt();
        ArrayList<OpenSession> open = new ArrayList<>(Math.max(2, openCount));
        for (int i = 0; i < openCount; i++) {
            OpenSession o = new OpenSession();
            o.firstTime = in.readLong();
            o.firstId = in.readLong();
            o.lastTime = in.readLong();
            o.eventCount = in.readInt();
            o.pageViews = in.readInt();
            o.searches = in.readInt();
            o.addsToCart = in.readInt();
            o.removesFromCart = in.readInt();
            o.orders = in.readInt();
            o.userAgent = readString(in);
            o.ip = readString(in);
            o.pageTime = in.readLong();
            o.pageId = in.readLong();
            o.page = readString(in);
            o.referrerTime = in.readLong();
            o.referrerId = in.readLong();
            o.referrer = readString(in);
            open.add(o);
        }
        return new CustomerHistory(customerId, FinalizedHistory.restore(sessions, purchased, durations), open);
    }

    private static void writeLongMap(DataOutputStream out, LongLongMap map) throws IOException {
        long[] keys = new long[map.size()];
        int[] n = {0};
        map.forEach((k, v) -> keys[n[0]++] = k);
        Arrays.sort(keys);
        out.writeInt(keys.length);
        for (long k : keys) {
            out.writeLong(k);
            out.writeLong(map.get(k, 0));
        }
    }

    private static LongLongMap readLongMap(DataInputStream in) throws IOException {
        int size = in.readInt();
        LongLongMap map = new LongLongMap(Math.max(16, size));
        for (int i = 0; i < size; i++) {
            map.put(in.readLong(), in.readLong());
        }
        return map;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0) {
            return null;
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
