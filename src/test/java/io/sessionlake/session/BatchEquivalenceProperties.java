package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sessionlake.feed.Event;
import io.sessionlake.metrics.MetricsCalculator;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * SPEC 4's promise: however the events are split into objects, in whatever order those arrive, with
 * duplicate objects and duplicate events, the current sessions (the changelog read by the SPEC 6 rule) and
 * the metrics equal those of one batch sessionization, as long as nothing arrives behind the horizon.
 * The state goes through its leaves and manifest between every two objects, as it does between Lambda runs, with
 * leaves so small that each run reads, splits and retires several.
 */
class BatchEquivalenceProperties {
    private static final String[] TYPES = {"page_view", "page_view", "search", "add_product_to_cart",
        "remove_product_from_cart", "placed_order", "sign_up_success", "brand_new_type"};
    private static final String[] PAGES = {null, "https://shop/a", "https://shop/b"};
    private static final String[] REFERRERS = {null, null, "", "https://www.google.com/x", "https://t.co/y"};

    @Property(tries = 300)
    void anySplitAndOrderGivesTheBatchSessions(@ForAll long seed) throws IOException {
        Random r = new Random(seed);
        SessionConfig config = SessionConfig.DEFAULT;
        List<Event> events = randomEvents(r, 1 + r.nextInt(60), 3 * 24 * 60);
        List<List<Event>> objects = splitWithDuplicates(r, events);
        Collections.shuffle(objects, r);
        assertEquivalent(config, events, objects);
    }

    @Property(tries = 200)
    void timeOrderedObjectsWithinAShortHorizonFinalizeAndStillEqualTheBatch(@ForAll long seed) throws IOException {
        Random r = new Random(seed);
        SessionConfig config = new SessionConfig(Duration.ofMinutes(30), Duration.ofMinutes(120));
        List<Event> events = randomEvents(r, 1 + r.nextInt(80), 2 * 24 * 60);
        // consecutive time windows no wider than the horizon, each shuffled: nothing is ever late
        events.sort(Comparator.comparingLong(Event::timeMicros));
        List<List<Event>> objects = new ArrayList<>();
        long windowStart = Long.MIN_VALUE;
        for (Event e : events) {
            if (objects.isEmpty() || e.timeMicros() - windowStart >= config.horizonMicros()) {
                objects.add(new ArrayList<>());
                windowStart = e.timeMicros();
            }
            objects.get(objects.size() - 1).add(e);
        }
        for (List<Event> o : objects) {
            Collections.shuffle(o, r);
        }
        assertEquivalent(config, events, objects);
    }

    private static void assertEquivalent(SessionConfig config, List<Event> events, List<List<Event>> objects)
            throws IOException {
        SessionState state = SessionState.empty(config);
        Map<String, byte[]> bucket = new HashMap<>();
        // leaves of one customer and three ids: every run reads, splits and retires leaves; two histories of three
        // have their manifests on a base (new when more leaves differ than the base holds, or four times as many), the
        // others list every leaf
        int shape = Math.floorMod(events.hashCode(), 3);
        StateSeal.LeafTargets tiny = shape == 0 ? new StateSeal.LeafTargets(1, 3)
                : new StateSeal.LeafTargets(1, 3).listing(0, shape == 1 ? 1.0 : 4.0);
        Map<String, SessionRevision> current = new HashMap<>();
        Map<List<Event>, String> keys = new java.util.IdentityHashMap<>();
        for (int i = 0; i < objects.size(); i++) {
            // a list delivered twice is the same object: same key, so the ledger sees a redelivery
            String key = keys.computeIfAbsent(objects.get(i), o -> "events/" + keys.size());
            if (state.hasProcessed(key, "etag")) {
                continue;
            }
            IncrementalRun run = new IncrementalRun(state);
            for (Event e : objects.get(i)) {
                assertEquals(false, run.offer(e) == IncrementalRun.Verdict.LATE, "no event is late here");
            }
            for (SessionRevision rev : run.finish(key, "etag").revisions()) {
                SessionRevision was = current.get(rev.session().sessionId());
                if (was == null || was.revision() < rev.revision()) {
                    current.put(rev.session().sessionId(), rev);
                }
            }
            state = StateRoundTrip.through(bucket, state, tiny);
        }
        TreeMap<String, Session> incremental = new TreeMap<>();
        current.values().stream().filter(v -> !v.deleted()).forEach(v -> incremental.put(v.session().sessionId(), v.session()));
        TreeMap<String, Session> batch = new TreeMap<>();
        BatchSessionizer.sessionize(events, config.inactivityMicros()).forEach(s -> batch.put(s.sessionId(), s));
        assertEquals(batch, incremental);
        assertEquals(BatchMetrics.of(new ArrayList<>(batch.values())), MetricsCalculator.compute(state));
    }

    private static List<Event> randomEvents(Random r, int n, int spanMinutes) {
        List<Event> events = new ArrayList<>();
        int customers = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            long minute = r.nextInt(Math.max(1, spanMinutes / (1 + r.nextInt(8))));
            long micros = 1_650_000_000_000_000L + minute * 60_000_000L + (r.nextInt(4) == 0 ? r.nextInt(1000) : 0);
            events.add(new Event(1000 + i, TYPES[r.nextInt(TYPES.length)], 1 + r.nextInt(customers), micros,
                    "agent-" + r.nextInt(3), "10.0.0." + r.nextInt(9), PAGES[r.nextInt(PAGES.length)],
                    REFERRERS[r.nextInt(REFERRERS.length)], null, null, null, null));
        }
        return events;
    }

    /** Splits into 1..5 objects; some events are delivered twice, some whole objects are delivered twice. */
    private static List<List<Event>> splitWithDuplicates(Random r, List<Event> events) {
        int parts = 1 + r.nextInt(5);
        List<List<Event>> objects = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            objects.add(new ArrayList<>());
        }
        for (Event e : events) {
            objects.get(r.nextInt(parts)).add(e);
            if (r.nextInt(10) == 0) {
                objects.get(r.nextInt(parts)).add(e);
            }
        }
        if (r.nextBoolean()) {
            objects.add(objects.get(r.nextInt(parts)));
        }
        return objects;
    }
}
