package io.sessionlake.session;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
 * <p>Since format 4 the state is two sections, each compressed on its own, so that both are encoded (at the
 * end of every run) and decoded (at the start of the next) on two threads at once: the run's header, ledger
 * and dedupe window; then the referrer-host durations and the customers. Snappy rather than deflate: it does
 * both directions several times faster for a third more bytes. Repeated strings are written once
 * (see {@link StateBytes.Writer#sharedString}).
 */
public final class StateCodec {
    /** Format 2: one deflate stream, no shared strings. Still read. */
    private static final byte[] MAGIC_DEFLATE = {'S', 'L', 'S', 'T'};
    /** Format 3: one Snappy stream; written only by development builds of 2026-11-25, not read. */
    private static final byte[] MAGIC_ONE_SNAPPY_STREAM = {'S', 'L', 'S', 'N'};
    private static final byte[] MAGIC = {'S', 'L', 'S', '4'};
    private static final int FORMAT = 4;
    private static final int FORMAT_DEFLATE = 2;

    private StateCodec() {
    }

    /** The head and body of a state, read apart. */
    private record Head(long sequence, long watermark, SessionConfig config, TreeMap<String, String> ledger,
            LongIntMap seen) {
    }

    private record Body(TreeMap<String, LongIntMap> hosts, CustomerIndex customers) {
    }

    @FunctionalInterface
    private interface Section {
        void writeTo(StateBytes.Writer w);
    }

    @FunctionalInterface
    private interface Parse<T> {
        T from(StateBytes.Reader r) throws IOException;
    }

    /** The two sections one after the other. */
    public static byte[] encode(SessionState s) {
        return encode(s, false);
    }

    /**
     * @param parallel both sections at once, on two threads: faster, but it needs the working memory of
     *     both at the end of a run, when the heap is fullest
     */
    public static byte[] encode(SessionState s, boolean parallel) {
        byte[] first;
        byte[] body;
        if (parallel) {
            CompletableFuture<byte[]> head = CompletableFuture.supplyAsync(() -> section(w -> writeHead(s, w)),
                    StateCodec::onNewThread);
            body = section(w -> writeBody(s, w));
            first = join(head);
        } else {
            first = section(w -> writeHead(s, w));
            body = section(w -> writeBody(s, w));
        }
        // one array of the exact size: at the end of a large run every copy of the state counts
        byte[] packed = new byte[MAGIC.length + 8 + first.length + body.length];
        int at = 0;
        for (byte[] part : new byte[][] {MAGIC, lengthOf(first), first, lengthOf(body), body}) {
            System.arraycopy(part, 0, packed, at, part.length);
            at += part.length;
        }
        return packed;
    }

    private static byte[] section(Section content) {
        ByteArrayOutputStream packed = new ByteArrayOutputStream(1 << 20);
        try (SnappyOutputStream z = new SnappyOutputStream(packed, 1 << 16)) {
            StateBytes.Writer w = new StateBytes.Writer(z);
            content.writeTo(w);
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding state in memory", e);
        }
        return packed.toByteArray();
    }

    private static void writeHead(SessionState s, StateBytes.Writer w) {
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
    }

    private static void writeBody(SessionState s, StateBytes.Writer w) {
        w.varInt(s.finalizedDurationsByHost.size());
        for (Map.Entry<String, LongIntMap> e : s.finalizedDurationsByHost.entrySet()) {
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
        try {
            if (Arrays.equals(magic, MAGIC)) {
                byte[] first = readSection(raw);
                byte[] second = readSection(raw);
                if (raw.read() >= 0) {
                    throw new IOException("corrupt state: trailing bytes");
                }
                CompletableFuture<Head> head = CompletableFuture.supplyAsync(() -> {
                    try {
                        return parseWhole(first, r -> readHead(r, FORMAT));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, StateCodec::onNewThread);
                Body body = parseWhole(second, r -> readBody(r, true));
                return assemble(joinDecoded(head), body);
            }
            if (Arrays.equals(magic, MAGIC_DEFLATE)) {
                StateBytes.Reader r = new StateBytes.Reader(new InflaterInputStream(raw, new Inflater(), 1 << 16));
                Head head = readHead(r, FORMAT_DEFLATE);
                Body body = readBody(r, false);
                requireEnd(r);
                return assemble(head, body);
            }
        } catch (java.util.zip.ZipException | SnappyError e) { // snappy-java reports bad input as an Error
            throw new IOException("corrupt state: " + e.getMessage(), e);
        }
        if (Arrays.equals(magic, MAGIC_ONE_SNAPPY_STREAM)) {
            throw new IOException("state format 3 was written by a development build and is not read by this one;"
                    + " rebuild the state");
        }
        throw new IOException("not a sessionlake state object (bad magic number)");
    }

    private static SessionState assemble(Head h, Body b) {
        return new SessionState(h.config(), h.sequence(), h.watermark(), h.ledger(), h.seen(), b.customers(),
                b.hosts());
    }

    private static byte[] readSection(InputStream raw) throws IOException {
        byte[] length = raw.readNBytes(4);
        if (length.length < 4) {
            throw new IOException("corrupt state: truncated");
        }
        int n = (length[0] & 0xff) << 24 | (length[1] & 0xff) << 16 | (length[2] & 0xff) << 8 | (length[3] & 0xff);
        if (n < 0) {
            throw new IOException("corrupt state: section length " + n);
        }
        byte[] section = raw.readNBytes(n);
        if (section.length < n) {
            throw new IOException("corrupt state: truncated");
        }
        return section;
    }

    private static byte[] lengthOf(byte[] section) {
        int n = section.length;
        return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    private static <T> T parseWhole(byte[] section, Parse<T> parse) throws IOException {
        try {
            StateBytes.Reader r = new StateBytes.Reader(new SnappyInputStream(new ByteArrayInputStream(section)));
            T value = parse.from(r);
            requireEnd(r);
            return value;
        } catch (SnappyError e) {
            throw new IOException("corrupt state: " + e.getMessage(), e);
        }
    }

    private static void requireEnd(StateBytes.Reader r) throws IOException {
        if (!r.atEnd()) {
            throw new IOException("corrupt state: trailing bytes");
        }
    }

    private static Head readHead(StateBytes.Reader r, int expectedFormat) throws IOException {
        int format = r.varInt();
        if (format != expectedFormat) {
            throw new IOException("state format " + format + " is not supported here (expected " + expectedFormat
                    + ")");
        }
        long sequence = r.varLong();
        long watermark = r.varLong();
        SessionConfig config = new SessionConfig(Duration.ofNanos(r.varLong()), Duration.ofNanos(r.varLong()));
        TreeMap<String, String> ledger = new TreeMap<>();
        int ledgerSize = r.varInt();
        for (int i = 0; i < ledgerSize; i++) {
            ledger.put(r.string(), r.string());
        }
        // format 2 kept event times in the dedupe window; since format 4 it keeps their minutes
        return new Head(sequence, watermark, config, ledger, readLongMap(r, expectedFormat == FORMAT_DEFLATE));
    }

    private static Body readBody(StateBytes.Reader r, boolean sharedStrings) throws IOException {
        TreeMap<String, LongIntMap> hosts = new TreeMap<>();
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
            customers.insert(readCustomer(r, id, sharedStrings));
        }
        return new Body(hosts, customers);
    }

    /** Work for a second core, on a daemon thread: a state is encoded or decoded once per run. */
    private static void onNewThread(Runnable task) {
        Thread t = new Thread(task, "sessionlake-state");
        t.setDaemon(true);
        t.start();
    }

    private static byte[] join(CompletableFuture<byte[]> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static Head joinDecoded(CompletableFuture<Head> f) throws IOException {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (e.getCause() instanceof SnappyError err) {
                throw new IOException("corrupt state: " + err.getMessage(), err);
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
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

    private static void writeLongMap(StateBytes.Writer w, LongIntMap map) {
        long[] keys = new long[map.size()];
        int[] n = {0};
        map.forEach((k, v) -> keys[n[0]++] = k);
        Arrays.sort(keys);
        w.varInt(keys.length);
        long prevKey = 0;
        long prevValue = 0;
        for (long k : keys) {
            int v = map.get(k, 0);
            w.varLong(k - prevKey);
            w.varLong(v - prevValue);
            prevKey = k;
            prevValue = v;
        }
    }

    private static LongIntMap readLongMap(StateBytes.Reader r) throws IOException {
        return readLongMap(r, false);
    }

    /** @param microsToMinutes values written as event times (format 2's dedupe window), kept as minutes */
    private static LongIntMap readLongMap(StateBytes.Reader r, boolean microsToMinutes) throws IOException {
        int size = r.varInt();
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

}
