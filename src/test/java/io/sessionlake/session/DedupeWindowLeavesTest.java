package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sessionlake.feed.Event;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dedupe window in leaves gives the verdicts of one window cut at the horizon after every run. */
class DedupeWindowLeavesTest {
    private static final long MINUTE = 60_000_000L;
    private static final long T0 = 1_650_000_000_000_000L;
    private static final SessionConfig ONE_HOUR = new SessionConfig(Duration.ofMinutes(30), Duration.ofHours(1));
    /** Two ids a leaf: ids 5 and 6 share one, which stays until a later run's generation merges it. */
    private static final StateSeal.LeafTargets TWO_IDS = new StateSeal.LeafTargets(1, 2);

    private static Event view(long id, long minute) {
        return new Event(id, "page_view", 1, T0 + minute * MINUTE, "ua", "ip", null, null, null, null, null, null);
    }

    private static SessionState run(Map<String, byte[]> bucket, SessionState state, String key, Map<Long, String> verdicts,
            Event... events) {
        IncrementalRun run = new IncrementalRun(state);
        for (Event e : events) {
            verdicts.put(e.id(), run.offer(e).name());
        }
        run.finish(key, "etag");
        return StateRoundTrip.through(bucket, state, TWO_IDS);
    }

    @Test
    void anIdBehindTheHorizonInALeafNoRunRewroteCountsAsAbsent() {
        Map<String, byte[]> bucket = new HashMap<>();
        Map<Long, String> verdicts = new HashMap<>();
        SessionState state = SessionState.empty(ONE_HOUR);
        // leaves [5, 6] and [300], all inside the window (watermark 50 minutes)
        state = run(bucket, state, "a", verdicts, view(5, 0), view(6, 50), view(300, 50));
        // the window moves to 100 - 60 minutes: id 5 is behind it, its leaf is kept for id 6 and not read
        state = run(bucket, state, "b", verdicts, view(400, 100));
        // the same id again, in time: the window cut after every run had forgotten it, so must the leaves
        state = run(bucket, state, "c", verdicts, view(5, 100));
        assertEquals("ACCEPTED", verdicts.get(5L));
        state = run(bucket, state, "d", verdicts, view(6, 100));
        assertEquals("DUPLICATE", verdicts.get(6L), "an id inside the horizon is still a duplicate");
    }

    @Test
    void aLeafWhollyBehindTheHorizonIsDroppedUnreadAndItsIdsAreNew() {
        Map<String, byte[]> bucket = new HashMap<>();
        Map<Long, String> verdicts = new HashMap<>();
        SessionState state = SessionState.empty(ONE_HOUR);
        state = run(bucket, state, "a", verdicts, view(5, 0), view(6, 1), view(300, 50));
        String leafOf5And6 = "state/ids/pack-run1.bin"; // with 300's leaf, also behind the horizon after "b"
        assertEquals(true, bucket.containsKey(leafOf5And6), bucket.keySet().toString());
        state = run(bucket, state, "b", verdicts, view(400, 120));
        state = run(bucket, state, "c", verdicts, view(500, 121)); // deletes what "b" retired (no grace here)
        assertEquals(false, bucket.containsKey(leafOf5And6), "retired and deleted: " + bucket.keySet());
        state = run(bucket, state, "d", verdicts, view(6, 121));
        assertEquals("ACCEPTED", verdicts.get(6L));
    }
}
