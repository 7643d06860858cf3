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

    /** Uploads the new leaves; each key lands in {@code written} as it is written. */
    void write(StateSeal.Sealed sealed, List<String> written) throws IOException {
        for (StateSeal.NewLeaf leaf : sealed.leaves()) {
            store.put(leaf.key(), leaf.bytes(), "application/octet-stream");
            written.add(leaf.key());
        }
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
