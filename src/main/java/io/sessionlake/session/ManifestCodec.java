package io.sessionlake.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Binary encoding of the manifest, the one object a run commits: run header, ledger, metric aggregates, the
 * packs of the customers and of the dedupe window with their sizes, each current leaf with its range and its place in
 * a pack, and the retired packs.
 * Deterministic, like the leaves.
 */
public final class ManifestCodec {
    static final byte[] MAGIC = {'S', 'L', 'M', '1'};
    /**
     * 4 since 2026-12-01: the customer leaves on a base ({@link ManifestBase}), the manifest listing those that differ
     * from it. 3 since 2026-11-30: each leaf of the dedupe window with its generation. A manifest of format 3 is read
     * with every customer leaf listed; one of format 2 also as one generation (number 0) of leaves without filters,
     * which later runs merge or drop like any other.
     */
    private static final int FORMAT = 4;
    private static final int FORMAT_NO_BASE = 3;
    private static final int FORMAT_ONE_WINDOW = 2;

    private ManifestCodec() {
    }

    /**
     * @param base the base of the customer leaves, or null for none
     * @param customerRefs the customer leaves that differ from the base (all of them without one)
     * @param customerPacks every pack a customer leaf sits in, through the base or not
     */
    static byte[] encode(SessionState s, List<LeafRef> idRefs, Map<String, Long> idPacks, LeafRef base,
            List<LeafRef> customerRefs, Map<String, Long> customerPacks, List<SessionState.RetiredLeaf> retired) {
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
            writeRefs(w, idRefs, idPacks, true);
            w.string(base == null ? "" : base.key());
            if (base != null) {
                w.varInt(base.entries());
                w.varLong(base.bytes());
            }
            writeRefs(w, customerRefs, customerPacks, false);
            w.varInt(retired.size());
            long prevAt = 0;
            for (SessionState.RetiredLeaf r : retired) {
                w.string(r.key());
                w.varLong(r.retiredAtMillis() - prevAt);
                prevAt = r.retiredAtMillis();
            }
        });
    }

    /**
     * The packs of one kind with their sizes, then each leaf by pack number, low key (as a difference), entries,
     * newest minute, offset and length, and for the dedupe window its generation: a few hundred packs hold thousands
     * of leaves, and every run reads and writes the manifest.
     */
    static void writeRefs(StateBytes.Writer w, List<LeafRef> refs, Map<String, Long> packs,
            boolean generations) {
        w.varInt(packs.size());
        java.util.HashMap<String, Integer> number = new java.util.HashMap<>();
        for (Map.Entry<String, Long> p : packs.entrySet()) {
            number.put(p.getKey(), number.size());
            w.string(p.getKey());
            w.varLong(p.getValue());
        }
        w.varInt(refs.size());
        long prevLow = 0;
        for (LeafRef r : refs) {
            w.varInt(number.get(r.key()));
            w.varLong(r.low() - prevLow);
            prevLow = r.low();
            w.varInt(r.entries());
            w.varInt(r.newestMinute());
            w.varLong(r.offset());
            w.varLong(r.bytes());
            if (generations) {
                w.varLong(r.generation());
            }
        }
    }

    /** True when these bytes start like a manifest (and not like the single-object state of earlier versions). */
    public static boolean isManifest(byte[] bytes) {
        return bytes.length >= MAGIC.length && java.util.Arrays.equals(java.util.Arrays.copyOf(bytes, MAGIC.length), MAGIC);
    }

    /**
     * The state a manifest names; its leaves are read from {@code source} when a run first needs them, its base (if it
     * has one) now: as {@code source} kept it decoded, or read and kept.
     */
    public static SessionState decode(byte[] bytes, LeafSource source) throws IOException {
        StateBytes.Reader r = LeafCodec.open(bytes, MAGIC);
        int format = r.varInt();
        if (format < FORMAT_ONE_WINDOW || format > FORMAT) {
            throw new IOException("state manifest format " + format + " is not supported here (expected "
                    + FORMAT_ONE_WINDOW + " to " + FORMAT + ")");
        }
        StateCodec.RunHead run = StateCodec.RunHead.read(r);
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
        TreeMap<String, Long> idPacks = new TreeMap<>();
        List<LeafRef> idRefs = readRefs(r, idPacks, format >= FORMAT_NO_BASE);
        LeafRef basePlace = null;
        if (format >= FORMAT) {
            String baseKey = r.string();
            if (!baseKey.isEmpty()) {
                int leaves = r.varInt(); // in the base, not here: no count to check against what is left
                long size = r.varLong();
                if (leaves < 0 || size < 0) {
                    throw new IOException("corrupt state manifest: a base of " + leaves + " leaves in " + size + " bytes");
                }
                basePlace = ManifestBase.placeOf(baseKey, leaves, size);
            }
        }
        // the base first: the listed leaves then name its packs by the same strings, so that the maps a run keeps by pack
        // compare them by identity, not character by character (tens of thousands of leaves, a few hundred packs)
        ManifestBase base = basePlace == null ? null : base(basePlace, source);
        TreeMap<String, Long> customerPacks = new TreeMap<>();
        List<LeafRef> customerRefs = readRefs(r, customerPacks, false,
                base == null ? java.util.Map.of() : base.packKeys());
        List<SessionState.RetiredLeaf> retired = new ArrayList<>();
        int retiredCount = r.varInt();
        long at = 0;
        for (int i = 0; i < retiredCount; i++) {
            String key = r.string();
            at += r.varLong();
            retired.add(new SessionState.RetiredLeaf(key, at));
        }
        LeafCodec.requireEnd(r);
        ManifestBase.Merged leaves = base != null ? base.with(customerRefs, customerPacks)
                : ManifestBase.Merged.of(customerRefs);
        return new SessionState(run.config(), run.sequence(), run.watermark(), run.ledger(),
                new DedupeWindow(idRefs, idPacks, source),
                new Leaves<>(leaves, customerPacks, source, LeafCodec::decodeCustomers,
                        () -> new CustomerIndex(16)),
                new StateAggregates(customers, sessions, visits, durations, totals, hosts), retired, base);
    }

    /** A manifest's base: as the processor kept it, else read (a missing one is a {@link LeafMissingException}). */
    private static ManifestBase base(LeafRef place, LeafSource source) throws IOException {
        if (source.decoded(place) instanceof ManifestBase kept && kept.place().equals(place)) {
            return kept;
        }
        ManifestBase read;
        try {
            read = ManifestBase.read(place, source.read(place));
        } catch (IOException | RuntimeException e) {
            if (e instanceof LeafMissingException || e instanceof java.io.UncheckedIOException) {
                throw e; // not there, or the store failed: nothing about its bytes
            }
            throw new StateUnreadableException(place.key(), e);
        }
        source.keep(place, read);
        return read;
    }

    /** @param generations each leaf with its generation (the dedupe window since format 3); else generation 0 */
    static List<LeafRef> readRefs(StateBytes.Reader r, TreeMap<String, Long> packs, boolean generations)
            throws IOException {
        return readRefs(r, packs, generations, java.util.Map.of());
    }

    /** @param known pack keys already held, by themselves: a key read that equals one is replaced by it */
    static List<LeafRef> readRefs(StateBytes.Reader r, TreeMap<String, Long> packs, boolean generations,
            java.util.Map<String, String> known) throws IOException {
        int packCount = r.count(); // a damaged count fails here, not by allocating
        // by number, as the leaves name them: tens of thousands of leaves in a few dozen packs
        String[] keys = new String[packCount];
        long[] sizes = new long[packCount];
        for (int i = 0; i < packCount; i++) {
            keys[i] = r.string();
            keys[i] = known.getOrDefault(keys[i], keys[i]);
            sizes[i] = r.varLong();
            packs.put(keys[i], sizes[i]);
        }
        int n = r.count();
        List<LeafRef> refs = new ArrayList<>(n);
        long prevLow = Long.MIN_VALUE;
        long prevGeneration = 0;
        long low = 0;
        for (int i = 0; i < n; i++) {
            int pack = r.varInt();
            if (pack < 0 || pack >= packCount) {
                throw new IOException("corrupt state manifest: pack " + pack + " of " + packCount);
            }
            low += r.varLong();
            int entries = r.varInt();
            int newestMinute = r.varInt();
            long offset = r.varLong();
            long bytes = r.varLong();
            long generation = generations ? r.varLong() : 0;
            // in order of generation, and of low key within one
            if (i > 0 && (generation < prevGeneration || generation == prevGeneration && low <= prevLow)) {
                throw new IOException("corrupt state manifest: leaves out of order at " + low);
            }
            if (offset < 0 || bytes < 0 || offset + bytes > sizes[pack]) {
                throw new IOException("corrupt state manifest: leaf at " + offset + " beyond " + keys[pack]);
            }
            prevGeneration = generation;
            prevLow = low;
            refs.add(new LeafRef(keys[pack], low, entries, newestMinute, offset, bytes, generation));
        }
        return refs;
    }
}
