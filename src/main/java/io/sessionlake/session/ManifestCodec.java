package io.sessionlake.session;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Binary encoding of the manifest, the one object a run commits: run header, ledger, metric aggregates, the
 * current leaves of the customers and of the dedupe window with their ranges and sizes, and the retired leaves.
 * Deterministic, like the leaves.
 */
public final class ManifestCodec {
    static final byte[] MAGIC = {'S', 'L', 'M', '1'};
    private static final int FORMAT = 1;

    private ManifestCodec() {
    }

    static byte[] encode(SessionState s, List<LeafRef> idRefs, List<LeafRef> customerRefs,
            List<SessionState.RetiredLeaf> retired) {
        return LeafCodec.block(MAGIC, w -> {
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
            StateAggregates a = s.aggregates;
            w.varLong(a.customers);
            w.varLong(a.sessions);
            LeafCodec.writeLongMap(w, a.visitsBeforeOrder);
            LeafCodec.writeLongMap(w, a.durationsBeforeOrder);
            LeafCodec.writeLongMap(w, a.totalsBeforeOrder);
            TreeMap<String, LongIntMap> hosts = new TreeMap<>();
            a.durationsByHost.forEach((host, counts) -> {
                if (counts.maxValue(0) > 0) { // a host whose sessions all merged away is no host
                    hosts.put(host, counts);
                }
            });
            w.varInt(hosts.size());
            hosts.forEach((host, counts) -> {
                w.string(host);
                LeafCodec.writeLongMap(w, counts);
            });
            KeyParts parts = new KeyParts();
            writeRefs(w, idRefs, parts);
            writeRefs(w, customerRefs, parts);
            w.varInt(retired.size());
            long prevAt = 0;
            for (SessionState.RetiredLeaf r : retired) {
                parts.write(w, r.key());
                w.varLong(r.retiredAtMillis() - prevAt);
                prevAt = r.retiredAtMillis();
            }
        });
    }

    /**
     * Leaf keys written compactly: a key is its kind's prefix, its low key and its run's suffix
     * ({@code state/customers/} {@code 5} {@code -r000000000007-<run id>.bin}); thousands of leaves share a few
     * prefixes and a few hundred suffixes, and the manifest is read and written by every run. A prefix or suffix
     * is written in full the first time, then by its number.
     */
    private static final class KeyParts {
        private final java.util.HashMap<String, Integer> seen = new java.util.HashMap<>();

        void write(StateBytes.Writer w, String key) {
            // the low key: the first run of digits (with its sign) after the last '/'
            int slash = key.lastIndexOf('/') + 1;
            int start = slash;
            int end = start;
            if (end < key.length() && key.charAt(end) == '-') {
                end++;
            }
            while (end < key.length() && Character.isDigit(key.charAt(end))) {
                end++;
            }
            boolean hasNumber = end > start && !(end == start + 1 && key.charAt(start) == '-');
            if (!hasNumber) {
                w.bool(false);
                w.string(key);
                return;
            }
            w.bool(true);
            part(w, key.substring(0, start));
            w.string(key.substring(start, end));
            part(w, key.substring(end));
        }

        private void part(StateBytes.Writer w, String part) {
            Integer n = seen.get(part);
            if (n != null) {
                w.varInt(n);
                return;
            }
            seen.put(part, seen.size() + 1);
            w.varInt(0);
            w.string(part);
        }
    }

    /** Reads what {@link KeyParts} wrote. */
    private static final class KeyReader {
        private final List<String> parts = new ArrayList<>();

        String read(StateBytes.Reader r) throws IOException {
            if (!r.bool()) {
                return r.string();
            }
            String prefix = part(r);
            String number = r.string();
            return prefix + number + part(r);
        }

        private String part(StateBytes.Reader r) throws IOException {
            int n = r.varInt();
            if (n == 0) {
                String p = r.string();
                parts.add(p);
                return p;
            }
            if (n < 0 || n > parts.size()) {
                throw new IOException("corrupt state manifest: key part " + n + " of " + parts.size());
            }
            return parts.get(n - 1);
        }
    }

    private static void writeRefs(StateBytes.Writer w, List<LeafRef> refs, KeyParts parts) {
        w.varInt(refs.size());
        long prevLow = 0;
        for (LeafRef r : refs) {
            parts.write(w, r.key());
            w.varLong(r.low() - prevLow);
            prevLow = r.low();
            w.varInt(r.entries());
            w.varInt(r.newestMinute());
            w.varLong(r.bytes());
        }
    }

    /** True when these bytes start like a manifest (and not like the single-object state of earlier versions). */
    public static boolean isManifest(byte[] bytes) {
        return bytes.length >= MAGIC.length && java.util.Arrays.equals(java.util.Arrays.copyOf(bytes, MAGIC.length), MAGIC);
    }

    /** The state a manifest names; its leaves are read from {@code source} when a run first needs them. */
    public static SessionState decode(byte[] bytes, LeafSource source) throws IOException {
        StateBytes.Reader r = LeafCodec.open(bytes, MAGIC);
        int format = r.varInt();
        if (format != FORMAT) {
            throw new IOException("state manifest format " + format + " is not supported here (expected " + FORMAT + ")");
        }
        long sequence = r.varLong();
        long watermark = r.varLong();
        SessionConfig config = new SessionConfig(Duration.ofNanos(r.varLong()), Duration.ofNanos(r.varLong()));
        TreeMap<String, String> ledger = new TreeMap<>();
        int ledgerSize = r.varInt();
        for (int i = 0; i < ledgerSize; i++) {
            ledger.put(r.string(), r.string());
        }
        long customers = r.varLong();
        long sessions = r.varLong();
        LongIntMap visits = LeafCodec.readLongMap(r);
        LongIntMap durations = LeafCodec.readLongMap(r);
        LongIntMap totals = LeafCodec.readLongMap(r);
        TreeMap<String, LongIntMap> hosts = new TreeMap<>();
        int hostCount = r.varInt();
        for (int i = 0; i < hostCount; i++) {
            hosts.put(r.string(), LeafCodec.readLongMap(r));
        }
        KeyReader keys = new KeyReader();
        List<LeafRef> idRefs = readRefs(r, keys);
        List<LeafRef> customerRefs = readRefs(r, keys);
        List<SessionState.RetiredLeaf> retired = new ArrayList<>();
        int retiredCount = r.varInt();
        long at = 0;
        for (int i = 0; i < retiredCount; i++) {
            String key = keys.read(r);
            at += r.varLong();
            retired.add(new SessionState.RetiredLeaf(key, at));
        }
        LeafCodec.requireEnd(r);
        return new SessionState(config, sequence, watermark, ledger,
                new Leaves<>(idRefs, source, LeafCodec::decodeIds, LongIntMap::new),
                new Leaves<>(customerRefs, source, LeafCodec::decodeCustomers, () -> new CustomerIndex(16)),
                new StateAggregates(customers, sessions, visits, durations, totals, hosts), retired);
    }

    private static List<LeafRef> readRefs(StateBytes.Reader r, KeyReader keys) throws IOException {
        int n = r.varInt();
        if (n < 0) {
            throw new IOException("corrupt state manifest: " + n + " leaves");
        }
        List<LeafRef> refs = new ArrayList<>(n);
        long prevLow = Long.MIN_VALUE;
        long low = 0;
        for (int i = 0; i < n; i++) {
            String key = keys.read(r);
            low += r.varLong();
            LeafRef ref = new LeafRef(key, low, r.varInt(), r.varInt(), r.varLong());
            if (ref.key() == null || i > 0 && ref.low() <= prevLow) {
                throw new IOException("corrupt state manifest: leaves out of order at " + ref.key());
            }
            prevLow = ref.low();
            refs.add(ref);
        }
        return refs;
    }
}
