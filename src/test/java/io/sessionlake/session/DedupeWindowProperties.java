package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sessionlake.feed.Event;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The dedupe window in generations of filtered leaves, merged as they grow and cut leaf by leaf at the horizon, gives
 * every event the verdict one map of every id, cut at the horizon after every run, gives: through the store between
 * any two runs, with leaves of one to four ids (so that runs split, merge and drop many), with and without the leaves a
 * processor keeps decoded across runs.
 */
class DedupeWindowProperties {
    private static final long MINUTE = 60_000_000L;
    private static final long T0 = 1_650_000_000_000_000L;
    private static final SessionConfig ONE_HOUR = new SessionConfig(Duration.ofMinutes(30), Duration.ofHours(1));
    /** Ids a run may see: a narrow range (repeats across runs) and the extremes of long. */
    private static final long[] EXTREMES = {Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, -1, 0};

    @Property(tries = 300)
    void verdictsAreThoseOfOneWindowCutAtTheHorizonAfterEveryRun(@ForAll long seed) {
        Random r = new Random(seed);
        StateSeal.LeafTargets targets = new StateSeal.LeafTargets(1 + r.nextInt(3), 1 + r.nextInt(4))
                .listing(r.nextBoolean() ? 0 : 2_048, r.nextBoolean() ? 1.0 / 8 : 4.0);
        Map<String, byte[]> bucket = new HashMap<>();
        Map<LeafRef, LeafSource.Decoded> kept = r.nextBoolean() ? new HashMap<>() : null;
        SessionState state = SessionState.empty(ONE_HOUR);
        LongIntMap reference = new LongIntMap();
        long clock = 0;
        int runs = 2 + r.nextInt(30);
        for (int run = 0; run < runs; run++) {
            long watermarkBefore = state.watermark();
            IncrementalRun incremental = new IncrementalRun(state);
            clock += r.nextInt(4) == 0 ? r.nextInt(200) : r.nextInt(15);
            int events = r.nextInt(r.nextInt(4) == 0 ? 60 : 10);
            java.util.List<Event> object = new java.util.ArrayList<>();
            for (int k = 0; k < events; k++) {
                long id = r.nextInt(6) == 0 ? EXTREMES[r.nextInt(EXTREMES.length)] : r.nextInt(120) - 20;
                long time = T0 + (clock - r.nextInt(80)) * MINUTE + r.nextInt(60_000_000);
                object.add(new Event(id, "page_view", 1 + Math.floorMod(id, 5), time, "ua", "ip", null, null, null,
                        null, null, null));
            }
            if (r.nextBoolean()) { // the leaves the object needs read first, all at once, as a processor reads them
                long[] ids = object.stream().mapToLong(Event::id).toArray();
                long[] customers = object.stream().mapToLong(Event::customerId).toArray();
                incremental.prefetch(ids, customers, ids.length);
            }
            for (Event e : object) {
                long id = e.id();
                long time = e.timeMicros();
                String expected;
                if (watermarkBefore != SessionState.NO_WATERMARK
                        && watermarkBefore - time > ONE_HOUR.horizonMicros()) {
                    expected = "LATE";
                } else if (reference.putUnlessAtLeast(id, SessionState.minuteOf(time), Integer.MIN_VALUE)) {
                    expected = "ACCEPTED";
                } else {
                    expected = "DUPLICATE";
                }
                assertEquals(expected, incremental.offer(e).name(), "run " + run + ", id " + id);
            }
            incremental.finish("object-" + run, "etag");
            if (state.watermark() != SessionState.NO_WATERMARK) {
                reference = cut(reference, SessionState.minuteOf(state.watermark() - ONE_HOUR.horizonMicros()));
            }
            state = StateRoundTrip.through(bucket, state, targets, kept, r.nextBoolean());
        }
    }

    private static LongIntMap cut(LongIntMap window, int floor) {
        LongIntMap kept = new LongIntMap();
        window.forEach((id, minute) -> {
            if (minute >= floor) {
                kept.put(id, minute);
            }
        });
        return kept;
    }
}
