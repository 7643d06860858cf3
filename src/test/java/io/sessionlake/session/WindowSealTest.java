package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.feed.Event;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the dedupe window's generations grow and merge: a few of them, and each id written a few times. */
class WindowSealTest {
    private static final long MINUTE = 60_000_000L;
    private static final long T0 = 1_650_000_000_000_000L;
    private static final SessionConfig A_WEEK = new SessionConfig(Duration.ofMinutes(30), Duration.ofDays(7));
    private static final StateSeal.LeafTargets LEAVES_OF_4 = new StateSeal.LeafTargets(4, 4);

    /** {@code ids} new ids spread over the whole range, as a feed that numbers events per customer spreads a run's. */
    private static void run(SessionState state, long firstId, int ids, long minute) {
        IncrementalRun run = new IncrementalRun(state);
        for (long id = firstId; id < firstId + ids; id++) {
            run.offer(new Event(id * 7919 % 100_003, "page_view", 1, T0 + minute * MINUTE, "ua", "ip", null, null, null,
                    null, null, null));
        }
        run.finish("object-" + firstId, "etag");
    }

    @Test
    void equalRunsKeepEachGenerationMoreThanTwiceTheNextAndWriteEachIdAFewTimes() {
        Map<String, byte[]> bucket = new HashMap<>();
        SessionState state = SessionState.empty(A_WEEK);
        long written = 0;
        int runs = 64;
        for (int r = 0; r < runs; r++) {
            run(state, r * 8L, 8, r);
            state = StateRoundTrip.through(bucket, state, LEAVES_OF_4);
            List<DedupeWindow.Generation> g = state.window.generations();
            for (int i = 0; i + 1 < g.size(); i++) {
                assertTrue(g.get(i).entries > WindowSeal.MERGE_RATIO * g.get(i + 1).entries,
                        "after run " + r + ": generation " + i + " of " + g.get(i).entries + " ids, the next of "
                                + g.get(i + 1).entries);
                assertTrue(g.get(i).number < g.get(i + 1).number, "numbered in order");
            }
            int log2 = 31 - Integer.numberOfLeadingZeros(r + 1);
            assertTrue(g.size() <= 1 + log2, g.size() + " generations after " + (r + 1) + " runs");
            DedupeWindow.Generation newest = g.get(g.size() - 1);
            assertEquals(state.sequence(), newest.number, "each run writes its generation");
            written += newest.entries; // its own ids and those of the generations it merged
        }
        long held = 0;
        for (DedupeWindow.Generation g : state.window.generations()) {
            held += g.entries;
        }
        assertEquals(runs * 8L, held, "every id kept once");
        // every id once a run would be 16,640; about log2(runs) times each is 3,000
        assertTrue(written <= held * (1 + 6), written + " ids written for " + held + ": each a few times, not once a run");
    }
}
