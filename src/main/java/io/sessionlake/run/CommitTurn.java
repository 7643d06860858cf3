package io.sessionlake.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sessionlake.store.ConcurrentUpdateException;
import io.sessionlake.store.ObjectStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Fairness among runs racing for the state commit. Each attempt is a race won by the run that finishes first, so a
 * run longer than the runs beside it (a larger object, a slower container) loses every attempt for as long as shorter
 * runs keep coming: the soak saw objects of 40-70 lines take 14-18 attempts beside objects of 10. A run that lost
 * {@value #CLAIM_AFTER_LOSSES} races in a row claims the turn, {@link Layout#TURN_KEY}: created only if absent, it
 * names the run and the time until which it holds. Every run reads it before its commit and, while another run
 * holds it, waits for that run to commit and release it; then it commits or, the state having moved, loses and
 * redoes as usual.
 *
 * <p>A courtesy, not a lock: correctness rests on the conditional commit alone. A turn left behind by a run that
 * crashed delays other commits until it expires (at most its hold, measured here on this process's own clock from
 * when it was first seen, so clocks that differ or stand still still end the wait); a run that commits without
 * reading it (one that read it just before the claim) can still win one more race.
 */
final class CommitTurn {
    static final int CLAIM_AFTER_LOSSES = 3;
    /** A claim holds at least this long, and three times the holder's last attempt if that took longer. */
    static final Duration MIN_HOLD = Duration.ofSeconds(10);
    private static final long FIRST_PAUSE_MILLIS = 20;
    private static final long LONGEST_PAUSE_MILLIS = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The turn as stored: who holds it, until when, and the version read (to renew or take over an expired one). */
    record Turn(String runId, Instant until, String etag) {
    }

    private final ObjectStore store;
    private final Clock clock;

    CommitTurn(ObjectStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** How long a run whose last attempt took {@code lastAttempt} claims the turn for. */
    static Duration holdAfter(Duration lastAttempt) {
        Duration thrice = lastAttempt.multipliedBy(3);
        return thrice.compareTo(MIN_HOLD) > 0 ? thrice : MIN_HOLD;
    }

    Optional<Turn> read() throws IOException {
        Optional<ObjectStore.StoredBytes> stored = store.read(Layout.TURN_KEY);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(stored.get().bytes());
            return Optional.of(new Turn(n.path("run_id").asText(), Instant.parse(n.path("until").asText()),
                    stored.get().etag()));
        } catch (IOException | RuntimeException unreadable) {
            // not ours to trust: treated as expired, so the next claim overwrites it
            return Optional.of(new Turn("", Instant.EPOCH, stored.get().etag()));
        }
    }

    /**
     * Claims the turn for {@code runId} for {@code hold}, or renews it when the run holds it already.
     *
     * @return false when another run holds a turn that has not expired, or claimed it first
     */
    boolean claim(String runId, Duration hold) throws IOException {
        Optional<Turn> current = read();
        Instant now = clock.instant();
        if (current.isPresent() && !current.get().runId().equals(runId) && current.get().until().isAfter(now)) {
            return false;
        }
        ObjectNode turn = JSON.createObjectNode().put("run_id", runId).put("until", now.plus(hold).toString());
        try {
            store.putIfUnchanged(Layout.TURN_KEY, JSON.writeValueAsBytes(turn), current.map(Turn::etag).orElse(null),
                    "application/json");
            return true;
        } catch (ConcurrentUpdateException claimedMeanwhile) {
            return false;
        }
    }

    /**
     * Waits while another run holds the turn: until it releases it or its hold has passed.
     *
     * @return how long it waited, zero when no other run held the turn
     */
    Duration awaitOthers(String runId) throws IOException {
        long started = System.nanoTime();
        boolean slept = false;
        String seen = null;
        long seenAt = 0;
        long heldFor = 0;
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            Optional<Turn> t = read();
            long leftMillis = t.isEmpty() ? 0 : Duration.between(clock.instant(), t.get().until()).toMillis();
            if (t.isEmpty() || t.get().runId().equals(runId) || leftMillis <= 0) {
                return slept ? Duration.ofNanos(System.nanoTime() - started) : Duration.ZERO;
            }
            if (!t.get().etag().equals(seen)) { // a new claim or a renewal: its hold counts from now
                seen = t.get().etag();
                seenAt = System.nanoTime();
                heldFor = leftMillis;
            }
            long waitedMillis = (System.nanoTime() - seenAt) / 1_000_000;
            if (waitedMillis >= heldFor) { // its holder is gone or late
                return Duration.ofNanos(System.nanoTime() - started);
            }
            try {
                Thread.sleep(Math.min(pause, heldFor - waitedMillis));
                slept = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for run " + t.get().runId()
                        + " to commit (it holds " + Layout.TURN_KEY + ")");
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_MILLIS);
        }
    }

    /** Gives the turn back if {@code runId} holds it; a failed delete leaves it to expire. */
    void release(String runId) {
        try {
            Optional<Turn> t = read();
            if (t.isPresent() && t.get().runId().equals(runId)) {
                store.delete(Layout.TURN_KEY);
            }
        } catch (IOException | RuntimeException e) {
            // the turn expires by itself: other runs wait at most its hold
        }
    }
}
