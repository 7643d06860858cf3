package io.sessionlake.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Turns a state a run has changed into what the run writes: one pack per kind holding a new version of each customer
 * leaf it changed (split when it grew past its target size), the run's generation of the dedupe window (merged with
 * the generations before it, {@link WindowSeal}) and the live leaves of sparse packs it compacts, and the
 * manifest that names every current leaf by pack, offset and length. Packs no leaf is in any more are listed as
 * retired with the time, and those whose grace period has passed are handed out for deletion. Deterministic for a
 * state, names and time: a retried run writes the same packs under the same keys.
 */
public final class StateSeal {
    private StateSeal() {
    }

    /**
     * Entries per leaf at which a leaf is split. Customers: small leaves, since a run touches customers at random and
     * rewrites each leaf it touches, but not so small that the leaves' refs, which every run copies as arrays (and,
     * every few runs, writes as a new base of the manifest: {@link ManifestBase}), outweigh that: by default
     * ({@link #DEFAULT}, {@code customersPerLeaf} 0) the target grows with the square root of the state's customers
     * ({@link #customersPerLeaf(long)}). The dedupe window: a generation's leaves are written once and read through
     * their filters ({@link WindowSeal}), so their size matters little (4,096 and 16,384 measured the same).
     * {@code compactMinBudget}: bytes of sparse packs' leaves a run may copy even when it writes less itself
     * ({@link #COMPACT_MIN_BUDGET}; tests make it tiny to empty a sparse pack over several runs of a small state).
     *
     * {@code listedLeaves}: customer leaves a manifest lists itself, without a base ({@link ManifestBase}), at most
     * ({@link #LISTED_LEAVES}; tests make it 0 to put every state on a base); {@code newBaseAbove}: the share of a base's
     * leaves that may differ from it before a run writes a new one ({@link #NEW_BASE_ABOVE}; tests make it large to keep
     * a small state on one base).
     *
     * @param customersPerLeaf a fixed target (tests), or 0 for one that grows with the state
     */
    public record LeafTargets(int customersPerLeaf, int idsPerLeaf, long compactMinBudget, int listedLeaves,
            double newBaseAbove) {
        public static final LeafTargets DEFAULT = new LeafTargets(0, 16_384);
        /**
         * The growing target is √(customers / this), rounded, at least 1: 1 up to 56,249 customers, 2 up to 156,249,
         * 3 up to 306,249, 6 at a million. Why the square root: a run rewrites about (customers it touches) × (leaf
         * size) records, and the manifest holds (customers) / (leaf size) refs, so the sum is least at a leaf size of
         * √(customers × a / (touched × b)); the scale puts the two measured points where they were best on the growth
         * bench (README, State growth): 1 at 10,256 customers (1M events; against 2, 8.0% of the live state written
         * a run instead of 12.6%, in no more time) and 2 at 102,564 (10M events; against 1, a manifest of 541 KB instead
         * of 874 KB, in less time; against 4, 2.1 MB written instead of 3.0 MB, in no more).
         */
        static final double CUSTOMERS_PER_LEAF_SCALE = 25_000;
        static final int MAX_CUSTOMERS_PER_LEAF = 256;

        public LeafTargets {
            if (customersPerLeaf < 0 || idsPerLeaf < 1) {
                throw new IllegalArgumentException("leaf targets must be positive (customers: 0 for a growing target)");
            }
            if (compactMinBudget < 0 || listedLeaves < 0 || !(newBaseAbove >= 0)) {
                throw new IllegalArgumentException("the compaction budget, the listed leaves and the share of a base that"
                        + " may differ must not be negative");
            }
        }

        /** With the production compaction budget and manifest bases. */
        public LeafTargets(int customersPerLeaf, int idsPerLeaf) {
            this(customersPerLeaf, idsPerLeaf, COMPACT_MIN_BUDGET);
        }

        /** With the production manifest bases. */
        public LeafTargets(int customersPerLeaf, int idsPerLeaf, long compactMinBudget) {
            this(customersPerLeaf, idsPerLeaf, compactMinBudget, LISTED_LEAVES, NEW_BASE_ABOVE);
        }

        /** The same targets with another number of customer leaves a manifest lists without a base (0: always a base). */
        public LeafTargets listing(int leaves) {
            return listing(leaves, newBaseAbove);
        }

        /** ... and another share of a base's leaves that may differ from it. */
        public LeafTargets listing(int leaves, double newBaseAbove) {
            return new LeafTargets(customersPerLeaf, idsPerLeaf, compactMinBudget, leaves, newBaseAbove);
        }

        /**
         * Customers a leaf holds at most in a state of {@code customers} (after the run: deterministic, so a retry
         * writes the same leaves). A leaf split under a smaller target stays as it is until it is split again: leaves
         * are never joined, so a state that grew keeps the smaller leaves of its early days (those of one customer are at
         * most 56,249).
         */
        public int customersPerLeaf(long customers) {
            if (customersPerLeaf > 0) {
                return customersPerLeaf;
            }
            long k = Math.round(Math.sqrt(Math.max(0, customers) / CUSTOMERS_PER_LEAF_SCALE));
            return (int) Math.max(1, Math.min(MAX_CUSTOMERS_PER_LEAF, k));
        }
    }

    /**
     * The keys of the objects a run writes: a pack per kind and a base of the manifest's customer leaves, from its
     * revision and id (the run package knows the layout).
     */
    public interface LeafNames {
        String customers();

        String ids();

        String customerBase();
    }

    /** One object a run writes: the new leaves of one kind, one after the other. */
    public record NewPack(String key, byte[] bytes) {
    }

    /**
     * A pack whose live leaves are at most this fraction of its bytes is compacted: its live leaves are copied into
     * runs' packs, and it goes once no manifest names it. In a steady flow runs then copy about a seventh of what they
     * write (at a third, half in theory, and on the growth bench's 10M-event history, whose ten day-sized packs thin
     * out together, up to as much again), and the stored packs hold about three
     * to four times the live leaves (S3 storage costs little beside a run's time; a run reads leaves by range, so dead
     * bytes cost no reads).
     */
    static final double COMPACT_BELOW = 1.0 / 8;
    /** A run may copy this much when packs qualify, or as much as it writes itself when that is more. */
    static final long COMPACT_MIN_BUDGET = 256 * 1024;

    /**
     * Customer leaves a manifest lists whole, without a base: about 10 bytes each, so up to 20 KB, less than a base
     * object's round trip would save.
     */
    static final int LISTED_LEAVES = 2_048;
    /**
     * A run writes a new base when the leaves that differ from the loaded one would be more than this share of it. A
     * run's manifest costs the changes since the base (on average half of this share of the leaves) and a base costs every
     * leaf once in (this share × leaves / leaves a run changes) runs; with the 1,000-event object on a 10M-event
     * history (59,000 leaves, about 1,200 changed a run) an eighth writes a base every six runs or so.
     */
    static final double NEW_BASE_ABOVE = 1.0 / 8;

    /** A sealed state: the packs to write before the commit, and the manifest to commit once they are written. */
    public static final class Sealed {
        private final SessionState state;
        private final List<NewPack> packs;
        private final Part ids;
        private final Part customers;
        private final List<SessionState.RetiredLeaf> retired;
        private final List<String> garbage;
        private final Listing listing;

        Sealed(SessionState state, List<NewPack> packs, Part ids, Part customers,
                List<SessionState.RetiredLeaf> retired, List<String> garbage, Listing listing) {
            this.state = state;
            this.packs = packs;
            this.ids = ids;
            this.customers = customers;
            this.retired = retired;
            this.garbage = garbage;
            this.listing = listing;
        }

        /** The base this run writes for the manifest's customer leaves, or null (it lists them on the loaded one or whole). */
        public ManifestBase newBase() {
            return listing.base != null && listing.base != state.customerBase ? listing.base : null;
        }

        /** New packs (at most one per kind), each under a key no other run writes. */
        public List<NewPack> packs() {
            return packs;
        }

        /** Each leaf in the new packs, where it sits and its bytes: for a cache of what this run wrote. */
        public java.util.Map<LeafRef, byte[]> written() {
            java.util.Map<LeafRef, byte[]> out = new java.util.LinkedHashMap<>();
            for (Part p : List.of(customers, ids)) {
                for (int i = 0; i < p.appended.size(); i++) {
                    out.put(p.appended.get(i), p.appendedBytes.get(i));
                }
            }
            return out;
        }

        /**
         * The leaves of the loaded manifest that the new one does not name: those the run changed (written anew, split
         * or not), dropped, merged into a newer generation of the dedupe window, or copied by compaction. No run of this state or a later one reads them.
         */
        public List<LeafRef> replaced() {
            List<LeafRef> out = new ArrayList<>();
            for (Leaves.Slot<?> slot : state.customers.touched()) {
                if (slot.ref != null && slot.changed) {
                    out.add(slot.ref);
                }
            }
            out.addAll(state.window.dropped);
            out.addAll(ids.mergedAway);
            out.addAll(ids.copiedOut);
            out.addAll(customers.copiedOut);
            if (state.customerBase != null && listing.base != state.customerBase) {
                out.add(state.customerBase.place());
            }
            return out;
        }

        /** The customer leaves as sealed: their refs in key order, their packs' weights. */
        Part customerPart() {
            return customers;
        }

        /** The customer leaves the manifest lists (on {@link #listedOn}, or all of them). */
        List<LeafRef> listedCustomers() {
            return listing.refs;
        }

        /** The base the manifest lists the customer leaves on, the loaded one or a new one; null for none. */
        ManifestBase listedOn() {
            return listing.base;
        }

        /** Leaves copied from sparse packs into this run's packs. */
        public int compactedLeaves() {
            return ids.copiedOut.size() + customers.copiedOut.size();
        }

        /** Packs no manifest names any more, retired longer than the grace period ago: no run may still read them. */
        public List<String> garbage() {
            return garbage;
        }

        /**
         * The manifest, the commit point. @param notDeleted garbage whose deletion failed: listed again, for the
         * next run to delete
         */
        public byte[] manifest(Collection<String> notDeleted) {
            List<SessionState.RetiredLeaf> keep = new ArrayList<>(retired);
            for (SessionState.RetiredLeaf r : state.retired) {
                if (notDeleted.contains(r.key())) {
                    keep.add(r);
                }
            }
            keep.sort(java.util.Comparator.comparing(SessionState.RetiredLeaf::key));
            return ManifestCodec.encode(state, ids.refs, ids.packSizes(), listing.base == null ? null : listing.base.place(),
                    listing.refs, customers.packSizes(), keep);
        }

        /**
         * Bytes of every pack the manifest names (live leaves and the replaced ones still in them) and of its base,
         * without it.
         */
        public long leafBytes() {
            long n = listing.base == null ? 0 : listing.base.place().bytes();
            for (long b : ids.packSizes().values()) {
                n += b;
            }
            for (long b : customers.packSizes().values()) {
                n += b;
            }
            return n;
        }
    }

    /**
     * @param parallel the dedupe window on a second thread: faster, but both halves' working memory at once
     */
    public static Sealed seal(SessionState s, LeafNames names, LeafTargets targets, long nowMillis, long graceMillis,
            boolean parallel) {
        List<SessionState.RetiredLeaf> retired = new ArrayList<>();
        List<String> garbage = new ArrayList<>();
        for (SessionState.RetiredLeaf r : s.retired) {
            if (nowMillis - r.retiredAtMillis() >= graceMillis) {
                garbage.add(r.key());
            } else {
                retired.add(r);
            }
        }
        Part ids;
        Part customers;
        if (parallel) {
            CompletableFuture<Part> idPart = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    idPart.complete(WindowSeal.seal(s, names.ids(), targets));
                } catch (Throwable e) {
                    idPart.completeExceptionally(e);
                }
            }, "sessionlake-state");
            t.setDaemon(true);
            t.start();
            customers = sealCustomers(s, names.customers(), targets);
            try {
                ids = idPart.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        } else {
            ids = WindowSeal.seal(s, names.ids(), targets);
            customers = sealCustomers(s, names.customers(), targets);
        }
        compact(ids, s.window.source(), targets.compactMinBudget());
        compact(customers, s.customers.source(), targets.compactMinBudget());
        ids.complete();
        customers.complete();
        List<NewPack> packs = new ArrayList<>();
        for (Part p : List.of(customers, ids)) {
            if (p.packBytes > 0) {
                packs.add(new NewPack(p.packKey, p.pack()));
            }
        }
        Listing listing = listing(s.customerBase, customers, names.customerBase(), targets);
        if (listing.base != s.customerBase) {
            if (listing.base != null) {
                packs.add(new NewPack(listing.base.key(), listing.base.stored()));
            }
            if (s.customerBase != null) {
                retired.add(new SessionState.RetiredLeaf(s.customerBase.key(), nowMillis));
            }
        }
        // a pack of the loaded manifest that no leaf names any more is retired
        java.util.Set<String> named = new java.util.HashSet<>(ids.packSizes().keySet());
        named.addAll(customers.packSizes().keySet());
        for (java.util.Map<String, Long> loaded : List.of(s.window.packSizes, s.customers.packSizes)) {
            for (String pack : loaded.keySet()) {
                if (!named.contains(pack)) {
                    retired.add(new SessionState.RetiredLeaf(pack, nowMillis));
                }
            }
        }
        return new Sealed(s, packs, ids, customers, retired, garbage, listing);
    }

    /** How the manifest lists the customer leaves: on a base (null: none), the leaves that differ from it. */
    private record Listing(ManifestBase base, List<LeafRef> refs) {
    }

    /**
     * On the loaded base while the leaves that differ from it are at most a share of it ({@link #NEW_BASE_ABOVE}); else whole
     * while they are few ({@code listedLeaves}); else on a new base holding them all. Deterministic for a manifest.
     */
    private static Listing listing(ManifestBase loaded, Part customers, String newBaseKey, LeafTargets targets) {
        if (loaded != null) {
            List<LeafRef> changes = customers.differingFromBase();
            if (changes != null && changes.size() <= targets.newBaseAbove() * loaded.refs().size()) {
                return new Listing(loaded, changes);
            }
        }
        if (customers.refs.size() <= targets.listedLeaves()) {
            return new Listing(null, customers.refs);
        }
        return new Listing(ManifestBase.of(newBaseKey, customers.refs, customers.packSizes()), List.of());
    }

    /** The leaves of one kind after a run: their refs in key order (ids: by generation, then key), and this run's pack. */
    static final class Part {
        final String packKey;
        final ArrayList<LeafRef> refs = new ArrayList<>();
        /**
         * The pack of each ref, at the same places, when the sealing that built the refs kept them (customers): what
         * compaction's pass by pack reads in order, rather than touching each of tens of thousands of refs spread over
         * the heap. Null: read from the refs.
         */
        ArrayList<String> keys;
        /** The leaves in this run's pack, in the order written: their refs, and their bytes. */
        final List<LeafRef> appended = new ArrayList<>();
        final List<byte[]> appendedBytes = new ArrayList<>();
        /** Bytes of this run's pack so far. */
        long packBytes;
        final java.util.TreeMap<String, Long> loadedSizes;
        /** Leaves of the loaded manifest that compaction copied into this run's pack. */
        final List<LeafRef> copiedOut = new ArrayList<>();
        /** Leaves of the loaded manifest whose generation of the dedupe window was merged into this run's. */
        final List<LeafRef> mergedAway = new ArrayList<>();

        Part(String packKey, java.util.Map<String, Long> loadedSizes) {
            this.packKey = packKey;
            this.loadedSizes = new java.util.TreeMap<>(loadedSizes);
        }

        LeafRef append(long low, int entries, int newestMinute, byte[] bytes) {
            return append(low, entries, newestMinute, bytes, 0);
        }

        LeafRef append(long low, int entries, int newestMinute, byte[] bytes, long generation) {
            LeafRef ref = new LeafRef(packKey, low, entries, newestMinute, packBytes, bytes.length, generation);
            packBytes += bytes.length;
            appended.add(ref);
            appendedBytes.add(bytes);
            return ref;
        }

        /** This run's pack: its leaves one after the other, in one array of its size. */
        byte[] pack() {
            if (packBytes > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("a state pack of " + packBytes + " bytes");
            }
            byte[] out = new byte[(int) packBytes];
            int at = 0;
            for (byte[] b : appendedBytes) {
                System.arraycopy(b, 0, out, at, b.length);
                at += b.length;
            }
            return out;
        }

        /** Set once the part is complete (compacted): the manifest, the retired packs and the sizes all ask for it. */
        private java.util.TreeMap<String, Long> packSizes;

        /**
         * Every pack a leaf of this kind sits in, with its size (this run's pack as written), once the part is complete.
         */
        java.util.TreeMap<String, Long> packSizes() {
            if (packSizes == null) {
                throw new IllegalStateException("the pack sizes of a state part asked for before it is complete");
            }
            return packSizes;
        }

        /**
         * The bytes and the number of the leaves the part names in each pack: kept from the loaded state's by the
         * sealing that built the refs ({@link #keep}), else weighed once (one pass by hash over the refs); from then on
         * the refs change only through {@link #move}, which keeps the weights.
         */
        private PackWeights live;
        /**
         * On a base: the refs that differ from it, by index, kept as the refs are built and moved; what the manifest lists
         * on the base. Null when the loaded state has no base.
         */
        private java.util.BitSet differs;

        PackWeights live() {
            if (live == null) {
                live = PackWeights.of(refs);
            }
            return live;
        }

        /** The weights of the refs as built, and (on a base) which of them differ from it. */
        void keep(PackWeights weights, java.util.BitSet differsFromBase) {
            live = weights;
            differs = differsFromBase;
        }

        /** Copies leaf {@code i} of the part, whose stored bytes are {@code bytes}, into this run's pack. */
        void move(int i, byte[] bytes) {
            PackWeights weights = live();
            LeafRef r = refs.get(i);
            LeafRef moved = append(r.low(), r.entries(), r.newestMinute(), bytes, r.generation());
            refs.set(i, moved);
            if (keys != null) {
                keys.set(i, packKey);
            }
            weights.remove(r);
            weights.add(moved);
            if (differs != null) {
                differs.set(i);
            }
            copiedOut.add(r);
        }

        /** On a base, the refs that differ from it, in key order; null when the loaded state has no base. */
        List<LeafRef> differingFromBase() {
            if (differs == null) {
                return null;
            }
            List<LeafRef> out = new ArrayList<>(differs.cardinality());
            for (int i = differs.nextSetBit(0); i >= 0; i = differs.nextSetBit(i + 1)) {
                out.add(refs.get(i));
            }
            return out;
        }

        /**
         * Completes the part: no leaf is added or moved after this. From the pack weights compaction kept (a state of
         * 10M events has tens of thousands of leaves in a few hundred packs): the packs that still hold a leaf.
         */
        void complete() {
            java.util.TreeMap<String, Long> found = new java.util.TreeMap<>();
            PackWeights weights = live();
            for (String pack : weights.packs()) {
                if (weights.leaves(pack) == 0) {
                    continue; // every leaf of it replaced or moved out
                }
                Long size = pack.equals(packKey) ? Long.valueOf(packBytes) : loadedSizes.get(pack);
                if (size == null) {
                    throw new IllegalStateException("state leaf in pack " + pack + " of unknown size");
                }
                found.put(pack, size);
            }
            packSizes = found;
        }
    }

    /**
     * Copies live leaves of sparse packs into this run's pack, sparsest pack first and in the manifest's order within a pack, at
     * most as many bytes as the run wrote itself (at least {@code minBudget}, {@link #COMPACT_MIN_BUDGET} but in
     * tests, and at least one leaf): a large pack is emptied over several runs, and leaves the manifest with its last
     * leaf. A pack at an eighth live frees seven bytes for each copied, so at the pace runs replace leaves compaction
     * copies about a seventh of what they write, and no run copies more than it writes. Deterministic for a manifest.
     */
    private static void compact(Part p, LeafSource source, long minBudget) {
        // the live bytes of each pack; this run's own pack is no candidate
        PackWeights live = p.live();
        List<String> sparse = new ArrayList<>();
        for (String pack : live.packs()) {
            if (pack.equals(p.packKey) || live.leaves(pack) == 0) {
                continue;
            }
            Long size = p.loadedSizes.get(pack);
            if (size != null && live.bytes(pack) <= COMPACT_BELOW * size) {
                sparse.add(pack);
            }
        }
        if (sparse.isEmpty()) {
            return;
        }
        sparse.sort(java.util.Comparator.comparingDouble((String k) -> (double) live.bytes(k) / p.loadedSizes.get(k))
                .thenComparing(k -> k));
        // where the live leaves of each sparse pack are, in key order
        java.util.Map<String, List<Integer>> byPack = new java.util.HashMap<>();
        for (String pack : sparse) {
            byPack.put(pack, new ArrayList<>());
        }
        for (int i = 0; i < p.refs.size(); i++) {
            List<Integer> of = byPack.get(p.keys != null ? p.keys.get(i) : p.refs.get(i).key());
            if (of != null) {
                of.add(i);
            }
        }
        long budget = Math.max(minBudget, p.packBytes);
        java.util.BitSet chosen = new java.util.BitSet(p.refs.size());
        List<LeafRef> toCopy = new ArrayList<>();
        long copying = 0;
        choosing:
        for (String pack : sparse) {
            for (int i : byPack.get(pack)) {
                LeafRef r = p.refs.get(i);
                if (copying > 0 && copying + r.bytes() > budget) {
                    break choosing;
                }
                chosen.set(i);
                toCopy.add(r);
                copying += r.bytes();
            }
        }
        java.util.Map<LeafRef, byte[]> bytes = toCopy.isEmpty() ? java.util.Map.of() : source.readAll(toCopy);
        // copied in the manifest's order, whichever pack they come from: deterministic for a manifest
        for (int i = chosen.nextSetBit(0); i >= 0; i = chosen.nextSetBit(i + 1)) {
            LeafRef r = p.refs.get(i);
            byte[] b = bytes.get(r);
            if (b == null || b.length != r.bytes()) {
                throw new IllegalStateException("state leaf at " + r.offset() + " of " + r.key() + " read as "
                        + (b == null ? "nothing" : b.length + " bytes") + ", expected " + r.bytes());
            }
            p.move(i, b);
        }
    }

    private static Part sealCustomers(SessionState s, String packKey, LeafTargets targets) {
        Part p = new Part(packKey, s.customers.packSizes);
        LeafCodec.CustomerLeafEncoder encoder = new LeafCodec.CustomerLeafEncoder();
        Leaves<CustomerIndex> leaves = s.customers;
        int perLeaf = targets.customersPerLeaf(s.aggregates.customers);
        // the leaves the run changed, in key order; those between are copied as runs of refs (a run changes a few
        // thousand of the 59,000 leaves of a 10M-event state)
        List<Leaves.Slot<CustomerIndex>> changed = new ArrayList<>();
        for (Leaves.Slot<CustomerIndex> slot : leaves.touched()) {
            if (slot.changed) {
                changed.add(slot);
            }
        }
        changed.sort(java.util.Comparator.comparingInt(slot -> slot.index));
        p.refs.ensureCapacity(leaves.size() + changed.size());
        p.keys = new ArrayList<>(leaves.size() + changed.size());
        // the packs' weights and (on a base) the leaves that differ from it, kept from the loaded state's through the
        // changes rather than found again by a walk over every leaf
        PackWeights weights = leaves.weights();
        java.util.BitSet listed = leaves.listed();
        java.util.BitSet differs = listed == null ? null : new java.util.BitSet();
        int next = 0;
        for (Leaves.Slot<CustomerIndex> slot : changed) {
            copyUnchanged(p, leaves, next, slot.index, listed, differs);
            next = slot.index + 1;
            if (slot.ref != null) {
                weights.remove(slot.ref);
            }
            CustomerEntry[] sorted = slot.content.sortedEntries();
            // new customers arrive anywhere in the range: leaves split evenly
            int[] bounds = bounds(sorted.length, perLeaf, false);
            for (int b = 0; b + 1 < bounds.length; b++) {
                long low = b > 0 ? sorted[bounds[b]].customerId() : slot.index == 0 ? Long.MIN_VALUE : slot.low;
                if (b == 0 && low != slot.low) {
                    // a first leaf stored with a low key of its own (this writer stores it from the lowest key): the
                    // base's leaf at that key is gone, which a listing on the base cannot say; so no listing on it
                    differs = null;
                }
                byte[] bytes = encoder.encode(sorted, bounds[b], bounds[b + 1]);
                LeafRef written = p.append(low, bounds[b + 1] - bounds[b], 0, bytes);
                weights.add(written);
                if (differs != null) {
                    differs.set(p.refs.size());
                }
                p.refs.add(written);
                p.keys.add(packKey);
            }
        }
        copyUnchanged(p, leaves, next, leaves.size(), listed, differs);
        p.keep(weights, differs);
        return p;
    }

    /**
     * Copies the refs of leaves {@code from} to {@code to}, which the run did not change, as a run; those the loaded
     * manifest listed on its base ({@code listed}) still differ from it.
     */
    private static void copyUnchanged(Part p, Leaves<CustomerIndex> leaves, int from, int to, java.util.BitSet listed,
            java.util.BitSet differs) {
        int at = p.refs.size();
        p.refs.addAll(leaves.refs().subList(from, to));
        p.keys.addAll(leaves.keys().subList(from, to));
        if (listed != null && differs != null) {
            for (int i = listed.nextSetBit(from); i >= 0 && i < to; i = listed.nextSetBit(i + 1)) {
                differs.set(at + i - from);
            }
        }
    }

    /**
     * Where to cut {@code n} sorted entries into leaves of at most {@code target}: not at all when they fit; else
     * evenly, or, for the last leaf of a sequence ({@code fillLeft}), into full leaves and the remainder.
     */
    static int[] bounds(int n, int target, boolean fillLeft) {
        if (n <= target) {
            return new int[] {0, n};
        }
        int pieces = (n + target - 1) / target;
        int[] b = new int[pieces + 1];
        for (int i = 1; i <= pieces; i++) {
            b[i] = fillLeft ? Math.min(n, i * target) : (int) ((long) n * i / pieces);
        }
        return b;
    }
}
