package io.sessionlake.session;

import java.util.List;

/**
 * Writes a run's dedupe window: the ids it added as a generation of their own, merged with the generations before it
 * while each of those holds at most {@link #MERGE_RATIO} times as many ids as the merged one. With runs of about the
 * same size that is a binary counter: about twice the base-2 logarithm of (window / run) generations, and each id is
 * written again about that many times in its life (measured by simulating a week of a thousand runs a day: at most 11
 * generations, each id written 13 times, against 21 generations with a ratio of 1). A merge carries on like a carry in
 * a binary counter: a run that completes the largest generation's match rewrites the whole window (once in a while:
 * about every time the runs since add up to half of it), as a large object on a small window does. Entries behind the
 * horizon are left
 * out of what a merge writes; a generation not merged keeps them, counted as absent, until it is merged or every leaf
 * of it is behind the horizon.
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
        long[] ids = own.ids();
        int[] minutes = own.minutes();
        int n = cut(ids, minutes, own.count(), w.floorAfter);
        int kept = generations.size();
        while (n > 0 && kept > 0 && generations.get(kept - 1).entries <= (long) MERGE_RATIO * n) {
            DedupeWindow.Generation older = generations.get(kept - 1);
            SeenIds[] leaves = w.readAll(older);
            int olderCount = 0;
            for (SeenIds l : leaves) {
                olderCount += l.count();
            }
            long[] mergedIds = new long[olderCount + n];
            int[] mergedMinutes = new int[mergedIds.length];
            int m = 0;
            int a = 0; // the newer ids
            for (SeenIds l : leaves) {
                for (int i = 0; i < l.count(); i++) {
                    long id = l.ids()[i];
                    while (a < n && ids[a] < id) {
                        m = keep(mergedIds, mergedMinutes, m, ids[a], minutes[a], w.floorAfter);
                        a++;
                    }
                    if (a < n && ids[a] == id) {
                        continue; // the newer entry wins: it is taken when its turn comes
                    }
                    m = keep(mergedIds, mergedMinutes, m, id, l.minutes()[i], w.floorAfter);
                }
            }
            while (a < n) {
                m = keep(mergedIds, mergedMinutes, m, ids[a], minutes[a], w.floorAfter);
                a++;
            }
            ids = mergedIds;
            minutes = mergedMinutes;
            n = m;
            p.mergedAway.addAll(older.refs);
            kept--;
        }
        for (int g = 0; g < kept; g++) {
            p.refs.addAll(generations.get(g).refs);
        }
        if (n > 0) {
            // numbered by this run, after every generation before it; ids arrive anywhere: leaves split evenly
            int[] bounds = StateSeal.bounds(n, targets.idsPerLeaf(), false);
            for (int b = 0; b + 1 < bounds.length; b++) {
                int newest = Integer.MIN_VALUE;
                for (int k = bounds[b]; k < bounds[b + 1]; k++) {
                    newest = Math.max(newest, minutes[k]);
                }
                long low = b == 0 ? Long.MIN_VALUE : ids[bounds[b]];
                p.refs.add(p.append(low, bounds[b + 1] - bounds[b], newest,
                        LeafCodec.encodeIds(ids, minutes, bounds[b], bounds[b + 1]), s.sequence));
            }
        }
        return p;
    }

    private static int keep(long[] ids, int[] minutes, int at, long id, int minute, int floor) {
        if (minute < floor) {
            return at;
        }
        ids[at] = id;
        minutes[at] = minute;
        return at + 1;
    }

    /** Leaves out the entries behind {@code floor}, in place. @return how many are kept */
    private static int cut(long[] ids, int[] minutes, int n, int floor) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            m = keep(ids, minutes, m, ids[i], minutes[i], floor);
        }
        return m;
    }
}
