package io.sessionlake.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Turns a state a run has changed into what the run writes: a new version of each leaf it changed (split when it
 * grew past its target size), and the manifest that names every current leaf. Leaves it replaced or dropped are
 * listed as retired with the time, and retired leaves whose grace period has passed are handed out for deletion.
 * Deterministic for a state, names and time: a retried run writes the same leaves under the same keys.
 */
public final class StateSeal {
    private StateSeal() {
    }

    /**
     * Entries per leaf at which a leaf is split. Customers: small leaves, since a run touches customers at random
     * and rewrites each leaf it touches; the dedupe window: large leaves, since new ids mostly land in the last.
     */
    public record LeafTargets(int customersPerLeaf, int idsPerLeaf) {
        public static final LeafTargets DEFAULT = new LeafTargets(16, 16_384);

        public LeafTargets {
            if (customersPerLeaf < 1 || idsPerLeaf < 1) {
                throw new IllegalArgumentException("leaf targets must be positive");
            }
        }
    }

    /** The keys of new leaf versions, from the run's revision and id (the run package knows the layout). */
    public interface LeafNames {
        String customers(long low);

        String ids(long low);
    }

    public record NewLeaf(String key, byte[] bytes) {
    }

    /** A sealed state: the leaves to write before the commit, and the manifest to commit once they are written. */
    public static final class Sealed {
        private final SessionState state;
        private final List<NewLeaf> leaves;
        private final List<LeafRef> idRefs;
        private final List<LeafRef> customerRefs;
        private final List<SessionState.RetiredLeaf> retired;
        private final List<String> garbage;

        Sealed(SessionState state, List<NewLeaf> leaves, List<LeafRef> idRefs, List<LeafRef> customerRefs,
                List<SessionState.RetiredLeaf> retired, List<String> garbage) {
            this.state = state;
            this.leaves = leaves;
            this.idRefs = idRefs;
            this.customerRefs = customerRefs;
            this.retired = retired;
            this.garbage = garbage;
        }

        /** New leaf versions, each under a key no other run writes. */
        public List<NewLeaf> leaves() {
            return leaves;
        }

        /** Retired leaves whose grace period has passed: no run that may still read them is running. */
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
            return ManifestCodec.encode(state, idRefs, customerRefs, keep);
        }

        /** Bytes of every current leaf, without the manifest. */
        public long leafBytes() {
            long n = 0;
            for (LeafRef r : idRefs) {
                n += r.bytes();
            }
            for (LeafRef r : customerRefs) {
                n += r.bytes();
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
        for (LeafRef r : s.seenEvents.dropped) {
            retired.add(new SessionState.RetiredLeaf(r.key(), nowMillis));
        }
        Part ids;
        Part customers;
        if (parallel) {
            CompletableFuture<Part> idPart = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    idPart.complete(sealIds(s, names, targets));
                } catch (Throwable e) {
                    idPart.completeExceptionally(e);
                }
            }, "sessionlake-state");
            t.setDaemon(true);
            t.start();
            customers = sealCustomers(s, names, targets);
            try {
                ids = idPart.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        } else {
            ids = sealIds(s, names, targets);
            customers = sealCustomers(s, names, targets);
        }
        List<NewLeaf> leaves = new ArrayList<>(customers.leaves);
        leaves.addAll(ids.leaves);
        for (LeafRef r : ids.replaced) {
            retired.add(new SessionState.RetiredLeaf(r.key(), nowMillis));
        }
        for (LeafRef r : customers.replaced) {
            retired.add(new SessionState.RetiredLeaf(r.key(), nowMillis));
        }
        return new Sealed(s, leaves, ids.refs, customers.refs, retired, garbage);
    }

    private static final class Part {
        final List<LeafRef> refs = new ArrayList<>();
        final List<NewLeaf> leaves = new ArrayList<>();
        final List<LeafRef> replaced = new ArrayList<>();
    }

    private static Part sealIds(SessionState s, LeafNames names, LeafTargets targets) {
        Part p = new Part();
        List<Leaves.Slot<LongIntMap>> slots = s.seenEvents.slots();
        for (int i = 0; i < slots.size(); i++) {
            Leaves.Slot<LongIntMap> slot = slots.get(i);
            if (!slot.changed) {
                p.refs.add(slot.ref);
                continue;
            }
            if (slot.ref != null) {
                p.replaced.add(slot.ref);
            }
            long[] keys = slot.content.sortedKeys();
            // the last leaf takes the new ids of a sequence: full leaves behind it, the rest stays last
            int[] bounds = bounds(keys.length, targets.idsPerLeaf(), i == slots.size() - 1);
            for (int b = 0; b + 1 < bounds.length; b++) {
                long low = b > 0 ? keys[bounds[b]] : i == 0 ? Long.MIN_VALUE : slot.low;
                int newest = Integer.MIN_VALUE;
                for (int k = bounds[b]; k < bounds[b + 1]; k++) {
                    newest = Math.max(newest, slot.content.get(keys[k], Integer.MIN_VALUE));
                }
                byte[] bytes = LeafCodec.encodeIds(keys, slot.content, bounds[b], bounds[b + 1]);
                String key = names.ids(low);
                p.leaves.add(new NewLeaf(key, bytes));
                p.refs.add(new LeafRef(key, low, bounds[b + 1] - bounds[b], newest, bytes.length));
            }
        }
        return p;
    }

    private static Part sealCustomers(SessionState s, LeafNames names, LeafTargets targets) {
        Part p = new Part();
        List<Leaves.Slot<CustomerIndex>> slots = s.customers.slots();
        for (int i = 0; i < slots.size(); i++) {
            Leaves.Slot<CustomerIndex> slot = slots.get(i);
            if (!slot.changed) {
                p.refs.add(slot.ref);
                continue;
            }
            if (slot.ref != null) {
                p.replaced.add(slot.ref);
            }
            CustomerHistory[] sorted = slot.content.sortedById();
            // new customers arrive anywhere in the range: leaves split evenly
            int[] bounds = bounds(sorted.length, targets.customersPerLeaf(), false);
            for (int b = 0; b + 1 < bounds.length; b++) {
                long low = b > 0 ? sorted[bounds[b]].customerId() : i == 0 ? Long.MIN_VALUE : slot.low;
                byte[] bytes = LeafCodec.encodeCustomers(sorted, bounds[b], bounds[b + 1]);
                String key = names.customers(low);
                p.leaves.add(new NewLeaf(key, bytes));
                p.refs.add(new LeafRef(key, low, bounds[b + 1] - bounds[b], 0, bytes.length));
            }
        }
        return p;
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
