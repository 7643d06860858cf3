package io.sessionlake.run;

import io.sessionlake.session.SessionState;
import io.sessionlake.session.StateSeal;
import io.sessionlake.store.ObjectStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the leaves a run changed and deletes retired leaves once their grace period has passed. A retired leaf
 * is still named by older manifests, which runs that started before its retirement may be reading: the grace
 * period outlasts the longest run (a Lambda invocation stops after 15 minutes). Deleting it before this run's
 * commit is safe whether or not the commit lands: the state it was loaded from had already retired it.
 */
final class StateLeaves {
    /** Longer than any run (Lambda's limit is 15 minutes), with room for a slow CLI run. */
    static final Duration GRACE = Duration.ofHours(1);

    private final ObjectStore store;
    private final Clock clock;
    private final StateSeal.LeafTargets targets;
    private final Duration grace;

    StateLeaves(ObjectStore store, Clock clock, StateSeal.LeafTargets targets, Duration grace) {
        this.store = store;
        this.clock = clock;
        this.targets = targets;
        this.grace = grace;
    }

    StateSeal.Sealed seal(SessionState state, long revision, String runId, boolean parallel) {
        return StateSeal.seal(state, Layout.leafNames(revision, runId), targets, clock.millis(), grace.toMillis(),
                parallel);
    }

    /** Uploads the new leaves, several at once; their keys land in {@code written} once all are written. */
    void write(StateSeal.Sealed sealed, List<String> written) throws IOException {
        List<String> keys = new ArrayList<>();
        java.util.Map<String, byte[]> bytes = new java.util.HashMap<>();
        for (StateSeal.NewLeaf leaf : sealed.leaves()) {
            keys.add(leaf.key());
            bytes.put(leaf.key(), leaf.bytes());
        }
        try {
            inParallel(keys, key -> {
                try {
                    store.put(key, bytes.get(key), "application/octet-stream");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return null;
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        written.addAll(keys);
    }

    /** Requests in flight at once: a run reads and writes a few hundred small leaves, each a round trip to S3. */
    private static final int PARALLEL = 8;
    private static final java.util.concurrent.ExecutorService IO = java.util.concurrent.Executors.newFixedThreadPool(
            PARALLEL, r -> {
                Thread t = new Thread(r, "sessionlake-leaf-io");
                t.setDaemon(true);
                return t;
            });

    /**
     * Applies {@code io} to every key on the I/O threads and waits for all; the first failure is thrown as it was
     * (unchecked), after every task has ended, so nothing of this run is still in flight when it fails.
     */
    static java.util.Map<String, byte[]> inParallel(List<String> keys, java.util.function.Function<String, byte[]> io) {
        java.util.Map<String, byte[]> out = new java.util.concurrent.ConcurrentHashMap<>();
        if (keys.size() == 1) {
            byte[] b = io.apply(keys.get(0));
            if (b != null) {
                out.put(keys.get(0), b);
            }
            return out;
        }
        List<java.util.concurrent.Future<?>> tasks = new ArrayList<>();
        for (String key : keys) {
            tasks.add(IO.submit(() -> {
                byte[] b = io.apply(key);
                if (b != null) {
                    out.put(key, b);
                }
            }));
        }
        RuntimeException first = null;
        for (java.util.concurrent.Future<?> f : tasks) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException r ? r
                            : new IllegalStateException("reading or writing a state leaf failed", e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.UncheckedIOException(new java.io.InterruptedIOException(
                        "interrupted while reading or writing state leaves"));
            }
        }
        if (first != null) {
            throw first;
        }
        return out;
    }

    /** @return the retired leaves that could not be deleted: the manifest keeps them, the next run tries again */
    List<String> deleteGarbage(StateSeal.Sealed sealed) {
        List<String> left = new ArrayList<>();
        for (String key : sealed.garbage()) {
            try {
                store.delete(key);
            } catch (IOException | RuntimeException e) {
                left.add(key);
            }
        }
        return left;
    }
}
