package io.sessionlake.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.metrics.MetricsCalculator;
import io.sessionlake.metrics.MetricsJson;
import io.sessionlake.session.SessionState;
import io.sessionlake.store.ConcurrentUpdateException;
import io.sessionlake.store.ObjectStore;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/**
 * Writes metrics/orders.json for a committed state, never replacing the metrics of a newer state: two
 * runs that commit one after the other may publish in the other order, so the write is conditional on
 * the metrics object it replaces being older.
 */
final class MetricsPublisher {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 5;

    private final ObjectStore store;
    private final Clock clock;

    MetricsPublisher(ObjectStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    void publish(SessionState state) throws IOException {
        publish(render(state), state.sequence());
    }

    /** The metrics object of a state, rendered ahead of its commit. */
    byte[] render(SessionState state) {
        return MetricsJson.render(MetricsCalculator.compute(state), state.config(), state.sequence(),
                clock.instant());
    }

    /** Publishes metrics rendered by {@link #render} for the state of this sequence, unless newer ones are there. */
    void publish(byte[] rendered, long sequence) throws IOException {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Optional<ObjectStore.StoredBytes> current = store.read(Layout.METRICS_KEY);
            if (current.isPresent() && sequenceOf(current.get().bytes()) > sequence) {
                return;
            }
            try {
                store.putIfUnchanged(Layout.METRICS_KEY, rendered, current.map(ObjectStore.StoredBytes::etag).orElse(null),
                        "application/json");
                return;
            } catch (ConcurrentUpdateException raced) {
                // another run published in between: look again whether ours is still the newer one
            }
        }
        throw new IOException("could not publish " + Layout.METRICS_KEY + " after " + ATTEMPTS + " attempts");
    }

    /**
     * The repair a redelivery does: publishes the metrics of this committed state only when the published ones
     * are older or missing (the publish after its commit failed). Reads, and writes nothing when they are current.
     *
     * @return whether it published
     */
    boolean publishIfBehind(SessionState state) throws IOException {
        Optional<ObjectStore.StoredBytes> current = store.read(Layout.METRICS_KEY);
        if (state.sequence() == 0 || current.isPresent() && sequenceOf(current.get().bytes()) >= state.sequence()) {
            return false;
        }
        publish(render(state), state.sequence());
        return true;
    }

    private static long sequenceOf(byte[] metrics) {
        try {
            JsonNode n = JSON.readTree(metrics);
            return n.path("state_sequence").asLong(-1);
        } catch (IOException e) {
            return -1; // unreadable metrics are replaced
        }
    }
}
