package io.sessionlake.session;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.io.UncheckedIOException;
import org.xerial.snappy.SnappyError;
import org.xerial.snappy.SnappyInputStream;

/**
 * Reads the single-object state of earlier versions ({@code state/state.bin}), held whole, so that the first run
 * of this version converts it into leaves and a manifest. Nothing writes this format any more.
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
    private interface Parse<T> {
        T from(StateBytes.Reader r) throws IOException;
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
        return SessionState.whole(h.config(), h.sequence(), h.watermark(), h.ledger(), h.seen(), b.customers(),
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

    /**
     * What the single state object and the manifest both hold after their format number: the run counters, the
     * session definition and the ledger.
     */
    record RunHead(long sequence, long watermark, SessionConfig config, TreeMap<String, String> ledger) {
        static RunHead read(StateBytes.Reader r) throws IOException {
            long sequence = r.varLong();
            long watermark = r.varLong();
            SessionConfig config = new SessionConfig(Duration.ofNanos(r.varLong()), Duration.ofNanos(r.varLong()));
            TreeMap<String, String> ledger = new TreeMap<>();
            int ledgerSize = r.varInt();
            for (int i = 0; i < ledgerSize; i++) {
                ledger.put(r.string(), r.string());
            }
            return new RunHead(sequence, watermark, config, ledger);
        }
    }

    private static Head readHead(StateBytes.Reader r, int expectedFormat) throws IOException {
        int format = r.varInt();
        if (format != expectedFormat) {
            throw new IOException("state format " + format + " is not supported here (expected " + expectedFormat
                    + ")");
        }
        RunHead run = RunHead.read(r);
        // format 2 kept event times in the dedupe window; since format 4 it keeps their minutes
        return new Head(run.sequence(), run.watermark(), run.config(), run.ledger(),
                LeafCodec.readLongMap(r, expectedFormat == FORMAT_DEFLATE));
    }

    private static Body readBody(StateBytes.Reader r, boolean sharedStrings) throws IOException {
        TreeMap<String, LongIntMap> hosts = new TreeMap<>();
        int hostCount = r.varInt();
        for (int i = 0; i < hostCount; i++) {
            hosts.put(r.string(), LeafCodec.readLongMap(r));
        }
        CustomerIndex customers = LeafCodec.readCustomers(r, (in, id) -> LeafCodec.readCustomer(in, id, sharedStrings));
        return new Body(hosts, customers);
    }

    /** Work for a second core, on a daemon thread: a state is encoded or decoded once per run. */
    private static void onNewThread(Runnable task) {
        Thread t = new Thread(task, "sessionlake-state");
        t.setDaemon(true);
        t.start();
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
}
