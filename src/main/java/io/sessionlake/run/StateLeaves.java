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
 * Writes the packs of the leaves a run changed and deletes retired packs once their grace period has passed. A
 * retired pack is still named by older manifests, which runs that started before its retirement may be reading: the grace
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
    private final LeafCache cache;

    StateLeaves(ObjectStore store, Clock clock, StateSeal.LeafTargets targets, Duration grace, LeafCache cache) {
        this.store = store;
        this.cache = cache;
        this.clock = clock;
        this.targets = targets;
        this.grace = grace;
    }

    StateSeal.Sealed seal(SessionState state, long revision, String runId, boolean parallel) {
        return StateSeal.seal(state, Layout.leafNames(revision, runId), targets, clock.millis(), grace.toMillis(),
                parallel);
    }

    /**
     * Uploads the new packs (one per kind, at once); their keys land in {@code written} once all are written, and
     * the leaves in them in the cache, for the next run of this processor to read without a request.
     */
    void write(StateSeal.Sealed sealed, List<String> written) throws IOException {
        java.util.Map<String, byte[]> bytes = new java.util.HashMap<>();
        for (StateSeal.NewPack pack : sealed.packs()) {
            bytes.put(pack.key(), pack.bytes());
        }
        List<String> keys = new ArrayList<>(bytes.keySet());
        keys.sort(null);
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
        sealed.written().forEach(cache::put); // the leaves' own arrays: the pack was assembled from them
        io.sessionlake.session.ManifestBase base = sealed.newBase();
        if (base != null) { // decoded, so that the next run of this processor need not read it
            cache.keep(base.place(), base);
        }
    }

    /** Requests in flight at once: a run reads leaves from up to a few hundred packs, each a round trip to S3. */
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
    static <K> java.util.Map<K, byte[]> inParallel(List<K> keys, java.util.function.Function<K, byte[]> io) {
        java.util.Map<K, byte[]> out = new java.util.concurrent.ConcurrentHashMap<>();
        if (keys.size() == 1) {
            byte[] b = io.apply(keys.get(0));
            if (b != null) {
                out.put(keys.get(0), b);
            }
            return out;
        }
        List<java.util.concurrent.Future<?>> tasks = new ArrayList<>();
        for (K key : keys) {
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

    /**
     * After the commit: the leaves it replaced leave the cache. A warm processor's runs read the leaves of the last
     * state; replaced ones, least recently used only after many runs, would push out live leaves no run touched lately
     * (least recently used too) and send their next reads to the store.
     */
    void committed(StateSeal.Sealed sealed) {
        sealed.replaced().forEach(cache::remove);
    }

    /** @return the retired packs that could not be deleted: the manifest keeps them, the next run tries again */
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
