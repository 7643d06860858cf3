package io.sessionlake.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dedupe window (event id to the minute of its event) as generations, the sorted runs of a log-structured merge
 * tree: the ids a run adds become a generation of their own, and generations are merged when a newer one grows to
 * half the size of the one before it ({@link WindowSeal}). An id is looked up from the newest generation to the
 * oldest, each generation's leaves asked through their Bloom filters first, so a new id costs a dozen filter probes
 * and no decoding. Until 2026-11-30 the window was one map in range leaves: the feed numbers events per customer, so a
 * run's thousand ids fell into every leaf of the current day, and every run decoded and wrote that day's ids again
 * (600,000 ids and 725 KB a run on a 10M-event history, growing with a shop's traffic).
 *
 * <p>The newest entry of an id is the only one that can be inside the window: an id is recorded again only when its
 * entry has fallen behind the horizon, and the horizon only moves forward. So the first entry found, newest first,
 * decides, and a generation whose newest minute is behind the horizon can be passed over: any entry in it is out of
 * the window, and so is any older one.
 */
final class DedupeWindow {
    /** What {@link Generation#minuteOf} answers for an id the generation does not hold (minutes are ints). */
    static final long NOT_HELD = Long.MIN_VALUE;

    /** One sorted run of ids, cut into range leaves; numbered by the run that wrote it (0: the first layout's). */
    static final class Generation {
        final long number;
        final List<LeafRef> refs;
        private final long[] lows;
        private final StoredIds[] stored;
        private final SeenIds[] decoded;
        final int newestMinute;
        final long entries;

        Generation(long number, List<LeafRef> refs) {
            this(number, refs, new StoredIds[refs.size()]);
        }

        private Generation(long number, List<LeafRef> refs, StoredIds[] stored) {
            this.number = number;
            this.refs = List.copyOf(refs);
            this.stored = stored;
            this.decoded = new SeenIds[refs.size()];
            lows = new long[refs.size()];
            int newest = Integer.MIN_VALUE;
            long n = 0;
            for (int i = 0; i < lows.length; i++) {
                lows[i] = refs.get(i).low();
                newest = Math.max(newest, refs.get(i).newestMinute());
                n += refs.get(i).entries();
            }
            newestMinute = newest;
            entries = n;
        }

        private int indexOf(long id) {
            int at = java.util.Arrays.binarySearch(lows, id);
            return at >= 0 ? at : Math.max(0, -at - 2);
        }
    }

    private final List<Generation> generations = new ArrayList<>();
    private final LeafSource source;
    /** Size of each pack the loaded manifest names: what compaction weighs. */
    final TreeMap<String, Long> packSizes;
    /** Leaves of the loaded manifest this run removed because every id in them is behind the horizon. */
    final List<LeafRef> dropped = new ArrayList<>();
    /** The ids this run added, with their minutes: its generation ({@link #takeAdded}). */
    private LongIntMap added;
    /** The horizon as the run ended ({@link #forgetBehind}): what its generation and merges keep. */
    int floorAfter = Integer.MIN_VALUE;
    /** Leaves {@link #unread} listed, in its order, for {@link #filled}. */
    private final List<Generation> pendingGenerations = new ArrayList<>();
    private final List<Integer> pendingPlaces = new ArrayList<>();

    /** @param refs the leaves of every generation, ordered by generation and by low key within one */
    DedupeWindow(List<LeafRef> refs, Map<String, Long> packSizes, LeafSource source) {
        this(refs, packSizes, source, new LongIntMap(16));
    }

    private DedupeWindow(List<LeafRef> refs, Map<String, Long> packSizes, LeafSource source, LongIntMap added) {
        this.source = source;
        this.packSizes = new TreeMap<>(packSizes);
        this.added = added;
        int from = 0;
        for (int i = 1; i <= refs.size(); i++) {
            if (i == refs.size() || refs.get(i).generation() != refs.get(from).generation()) {
                generations.add(new Generation(refs.get(from).generation(), refs.subList(from, i)));
                from = i;
            }
        }
    }

    /**
     * The window of a state converted from the single-object format: every id as if the converting run added it. The
     * map becomes the run's own (it was decoded for this state; nothing else holds it).
     */
    static DedupeWindow converted(LongIntMap window) {
        return new DedupeWindow(List.of(), Map.of(), LeafSource.NONE, window);
    }

    /**
     * The ids this run added, in order, with their minutes: its generation. The map is let go: a large object's is
     * the largest thing a run holds (a 1 GB object's 4M ids take about 100 MB) while its state is encoded. Once, when
     * the run has ended.
     */
    SeenIds takeAdded() {
        long[] ids = added.sortedKeys();
        int[] minutes = added.valuesOf(ids, ids.length);
        added = null;
        return new SeenIds(ids, minutes, ids.length);
    }

    List<Generation> generations() {
        return generations;
    }

    LeafSource source() {
        return source;
    }

    /**
     * Records {@code id} at {@code minute} unless the window holds it at a minute of at least {@code floor} (a
     * duplicate); an entry older than the floor is out of the window. @return whether it was recorded
     */
    boolean putUnlessAtLeast(long id, int minute, int floor) {
        if (added.containsKey(id)) {
            return added.putUnlessAtLeast(id, minute, floor);
        }
        long held = heldMinute(id, floor);
        if (held != NOT_HELD && held >= floor) {
            return false;
        }
        added.put(id, minute);
        return true;
    }

    /** The minute of the newest entry of {@code id} in a generation not wholly behind {@code floor}, or NOT_HELD. */
    private long heldMinute(long id, int floor) {
        long hash = 0;
        boolean hashed = false;
        for (int g = generations.size() - 1; g >= 0; g--) {
            Generation gen = generations.get(g);
            if (gen.newestMinute < floor) {
                continue;
            }
            int i = gen.indexOf(id);
            if (gen.refs.get(i).newestMinute() < floor) {
                continue; // whatever this leaf holds is out of the window: not read
            }
            if (gen.stored[i] == null) {
                gen.stored[i] = load(gen.refs.get(i));
            }
            if (!hashed) {
                hash = StoredIds.hashOf(id);
                hashed = true;
            }
            if (!gen.stored[i].mightHoldHash(hash)) {
                continue;
            }
            if (gen.decoded[i] == null) {
                gen.decoded[i] = decode(gen, i);
            }
            long m = gen.decoded[i].minuteOf(id);
            if (m != NOT_HELD) {
                return m;
            }
        }
        return NOT_HELD;
    }

    /**
     * The leaves not read yet that a lookup of any of the first {@code n} ids would read, one per generation an id
     * may be in (their bytes, for {@link #filled}); leaves this processor read before are taken as they were.
     */
    List<LeafRef> unread(long[] ids, int n, int floor) {
        pendingGenerations.clear();
        pendingPlaces.clear();
        List<LeafRef> out = new ArrayList<>();
        for (Generation gen : generations) {
            if (gen.newestMinute < floor) {
                continue;
            }
            java.util.BitSet listed = new java.util.BitSet(gen.refs.size());
            for (int k = 0; k < n; k++) {
                int i = gen.indexOf(ids[k]);
                if (gen.refs.get(i).newestMinute() >= floor && !listed.get(i)) {
                    listed.set(i);
                    pend(gen, i, out);
                }
            }
        }
        return out;
    }

    /** Takes leaf {@code i} as this processor kept it, or lists it to be read; nothing when it is at hand. */
    private void pend(Generation gen, int i, List<LeafRef> out) {
        if (gen.stored[i] != null) {
            return;
        }
        LeafRef ref = gen.refs.get(i);
        if (source.decoded(ref) instanceof StoredIds kept) {
            gen.stored[i] = kept;
            return;
        }
        out.add(ref);
        pendingGenerations.add(gen);
        pendingPlaces.add(i);
    }

    /** The bytes of the leaves {@link #unread} listed, read together with others. */
    void filled(Map<LeafRef, byte[]> read) {
        for (int k = 0; k < pendingGenerations.size(); k++) {
            Generation gen = pendingGenerations.get(k);
            int i = pendingPlaces.get(k);
            LeafRef ref = gen.refs.get(i);
            gen.stored[i] = checked(ref, read.get(ref));
        }
        pendingGenerations.clear();
        pendingPlaces.clear();
    }

    /**
     * Reads the stored leaves of a generation that are not at hand yet, all at once (a store reads them in parallel),
     * for a merge that then decodes them one at a time ({@link #leaf}).
     */
    void readStored(Generation gen) {
        pendingGenerations.clear();
        pendingPlaces.clear();
        List<LeafRef> missing = new ArrayList<>();
        for (int i = 0; i < gen.stored.length; i++) {
            pend(gen, i, missing);
        }
        if (!missing.isEmpty()) {
            filled(source.readAll(missing));
        }
    }

    /** The ids and minutes of leaf {@code i} of a generation read by {@link #readStored}; not kept (merges stream). */
    SeenIds leaf(Generation gen, int i) {
        return gen.decoded[i] != null ? gen.decoded[i] : decode(gen, i);
    }

    /**
     * Ids older than {@code floor} leave the window: leaves whose newest minute is older, unread (a lookup in that
     * range then finds nothing, which is what an id behind the horizon counts as), and generations left without
     * leaves. Inside the leaves kept they stay until a merge rewrites them, counted as absent.
     */
    void forgetBehind(int floor) {
        floorAfter = floor;
        for (int g = generations.size() - 1; g >= 0; g--) {
            Generation gen = generations.get(g);
            List<LeafRef> kept = new ArrayList<>();
            List<StoredIds> keptStored = new ArrayList<>();
            for (int i = 0; i < gen.refs.size(); i++) {
                if (gen.refs.get(i).newestMinute() < floor) {
                    dropped.add(gen.refs.get(i));
                } else {
                    kept.add(gen.refs.get(i));
                    keptStored.add(gen.stored[i]);
                }
            }
            if (kept.isEmpty()) {
                generations.remove(g);
            } else if (kept.size() < gen.refs.size()) {
                generations.set(g, new Generation(gen.number, kept, keptStored.toArray(new StoredIds[0])));
            }
        }
    }

    /** Bytes of the leaves this window was loaded with, as the manifest names them. */
    long storedLeafBytes() {
        long n = 0;
        for (Generation gen : generations) {
            for (LeafRef r : gen.refs) {
                n += r.bytes();
            }
        }
        for (LeafRef r : dropped) {
            n += r.bytes();
        }
        return n;
    }

    private StoredIds load(LeafRef ref) {
        return source.decoded(ref) instanceof StoredIds kept ? kept : checked(ref, source.read(ref));
    }

    /** A leaf's bytes as read: checked, and offered to later runs of this processor. */
    private StoredIds checked(LeafRef ref, byte[] bytes) {
        try {
            if (bytes == null || bytes.length != ref.bytes()) {
                throw new IOException("read " + (bytes == null ? "nothing" : bytes.length + " bytes") + " of a leaf of "
                        + ref.bytes() + " at " + ref.offset());
            }
            StoredIds s = LeafCodec.readIdLeaf(bytes);
            source.keep(ref, s);
            return s;
        } catch (IOException | RuntimeException e) {
            throw e instanceof LeafMissingException m ? m : new StateUnreadableException(ref.key(), e);
        }
    }

    private SeenIds decode(Generation gen, int i) {
        try {
            return gen.stored[i].decode();
        } catch (IOException | RuntimeException e) {
            throw new StateUnreadableException(gen.refs.get(i).key(), e);
        }
    }
}
