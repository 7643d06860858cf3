package io.sessionlake.session;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes a run's dedupe window: the ids it added as a generation of their own, merged with the generations before it
 * while each of those holds at most {@link #MERGE_RATIO} times as many ids as the merged one would (counted from the
 * manifest, before ids behind the horizon and ids held twice are left out). With runs of about the same size that is
 * a binary counter: about twice the base-2 logarithm of (window / run) generations, and each id is written again about
 * that many times in its life (measured by simulating a week of a thousand runs a day: at most 11 generations, each
 * id written 13 times, against 21 generations with a ratio of 1). A merge carries on like a carry in a binary counter:
 * a run that completes the largest generation's match rewrites the whole window (once in a while: about every time the
 * runs since add up to half of it), as a large object on a small window does. The merge streams: one leaf of each
 * merged generation decoded at a time, the merged ids written out a leaf at a time. Entries behind the horizon are
 * left out of what a merge writes; a generation not merged keeps them, counted as absent, until it is merged or every
 * leaf of it is behind the horizon.
 */
final class WindowSeal {
    static final int MERGE_RATIO = 2;

    private WindowSeal() {
    }

    static StateSeal.Part seal(SessionState s, String packKey, StateSeal.LeafTargets targets) {
        DedupeWindow w = s.window;
        StateSeal.Part p = new StateSeal.Part(packKey, w.packSizes);
        List<DedupeWindow.Generation> generations = w.generations();
        SeenIds own = w.takeAdded();
        int n = cut(own.ids(), own.minutes(), own.count(), w.floorAfter);
        int kept = generations.size();
        long merged = n;
        while (n > 0 && kept > 0 && generations.get(kept - 1).entries <= MERGE_RATIO * merged) {
            merged += generations.get(kept - 1).entries;
            kept--;
        }
        for (int g = 0; g < kept; g++) {
            p.refs.addAll(generations.get(g).refs);
        }
        if (n == 0) {
            return p;
        }
        // newest first: the run's own ids, then the generations it merges, newer before older
        List<Run> runs = new ArrayList<>();
        runs.add(new Run(own.ids(), own.minutes(), n));
        for (int g = generations.size() - 1; g >= kept; g--) {
            DedupeWindow.Generation gen = generations.get(g);
            w.readStored(gen);
            runs.add(new Run(w, gen));
            p.mergedAway.addAll(gen.refs);
        }
        Out out = new Out(p, targets.idsPerLeaf(), s.sequence);
        while (true) {
            // the smallest id at the head of any run; of equal ids the newest run's entry
            Run first = null;
            for (Run r : runs) {
                if (r.hasHead() && (first == null || r.head() < first.head())) {
                    first = r;
                }
            }
            if (first == null) {
                break;
            }
            long id = first.head();
            int minute = first.minute();
            for (Run r : runs) {
                if (r.hasHead() && r.head() == id) {
                    r.advance();
                }
            }
            if (minute >= w.floorAfter) {
                out.add(id, minute);
            }
        }
        out.flush();
        return p;
    }

    /** Sorted ids and minutes to merge: the run's own arrays, or a generation read a leaf at a time. */
    private static final class Run {
        private final DedupeWindow window;
        private final DedupeWindow.Generation generation;
        private int leaf;
        private long[] ids;
        private int[] minutes;
        private int count;
        private int at;

        Run(long[] ids, int[] minutes, int count) {
            this.window = null;
            this.generation = null;
            this.ids = ids;
            this.minutes = minutes;
            this.count = count;
        }

        Run(DedupeWindow window, DedupeWindow.Generation generation) {
            this.window = window;
            this.generation = generation;
            this.leaf = -1;
            nextLeaf();
        }

        private void nextLeaf() {
            while (at >= count && generation != null && leaf + 1 < generation.refs.size()) {
                SeenIds l = window.leaf(generation, ++leaf);
                ids = l.ids();
                minutes = l.minutes();
                count = l.count();
                at = 0;
            }
        }

        boolean hasHead() {
            return at < count;
        }

        long head() {
            return ids[at];
        }

        int minute() {
            return minutes[at];
        }

        void advance() {
            at++;
            nextLeaf();
        }
    }

    /** The merged ids, written as leaves of the generation as they fill: full leaves, the last one what is left. */
    private static final class Out {
        private final StateSeal.Part part;
        private final long generation;
        private final long[] ids;
        private final int[] minutes;
        private int n;
        private boolean first = true;

        Out(StateSeal.Part part, int perLeaf, long generation) {
            this.part = part;
            this.generation = generation;
            this.ids = new long[perLeaf];
            this.minutes = new int[perLeaf];
        }

        void add(long id, int minute) {
            if (n == ids.length) {
                flush();
            }
            ids[n] = id;
            minutes[n] = minute;
            n++;
        }

        void flush() {
            if (n == 0) {
                return;
            }
            int newest = Integer.MIN_VALUE;
            for (int k = 0; k < n; k++) {
                newest = Math.max(newest, minutes[k]);
            }
            long low = first ? Long.MIN_VALUE : ids[0]; // the first leaf of a generation takes every id below
            part.refs.add(part.append(low, n, newest, LeafCodec.encodeIds(ids, minutes, 0, n), generation));
            first = false;
            n = 0;
        }
    }

    /** Leaves out the entries behind {@code floor}, in place. @return how many are kept */
    private static int cut(long[] ids, int[] minutes, int n, int floor) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (minutes[i] >= floor) {
                ids[m] = ids[i];
                minutes[m] = minutes[i];
                m++;
            }
        }
        return m;
    }
}
