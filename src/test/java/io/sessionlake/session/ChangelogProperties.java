package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sessionlake.feed.Event;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The changelog a run reports, against its definition (SPEC 4, 6): the open sessions after the run against those
 * before it, by session id, a revision for every one that is new or not equal (its number included), in order, then a
 * tombstone for every id that is gone. The run compares copies of its sessions instead of building them; this checks
 * it reports exactly the rows, in the order, that building and comparing every session gives.
 */
class ChangelogProperties {
    private static final long MINUTE = 60_000_000L;
    private static final long T0 = 1_650_000_000_000_000L;
    private static final String[] TYPES = {"page_view", "search", "add_product_to_cart", "remove_product_from_cart",
            "placed_order", "visit_personal_recommendation"};

    @Property(tries = 300)
    void theRunReportsWhatComparingEverySessionGives(@ForAll long seed) {
        Random r = new Random(seed);
        // a horizon nothing falls behind: the sessions after the run are the ones its changelog compared
        SessionState state = SessionState.empty(new SessionConfig(Duration.ofMinutes(30), Duration.ofDays(3650)));
        for (int run = 0; run < 6; run++) {
            assertRunReportsByComparison(state, r, T0, run, seed);
        }
    }

    /** The same after sessions were finalized: the open ones are numbered after them. */
    @Property(tries = 200)
    void afterFinalizedSessionsTheNumbersFollowThem(@ForAll long seed) {
        Random r = new Random(seed);
        SessionState state = SessionState.empty(new SessionConfig(Duration.ofMinutes(30), Duration.ofDays(1)));
        for (int run = 0; run < 3; run++) {
            runRandom(state, r, T0, run);
        }
        // three days later: every session so far is finalized by this run, after its changelog
        IncrementalRun jump = new IncrementalRun(state);
        long later = T0 + 3 * 24 * 60 * MINUTE;
        for (long customer = 1; customer <= 3; customer++) {
            jump.offer(new Event(500 + customer, "page_view", customer, later, "ua-1", "10.0.0.1", "/a", null, null,
                    null, null, null));
        }
        jump.finish("events/jump", "etag");
        long finalized = state.loadedCustomers().stream().mapToLong(c -> c.finalized().sessions).sum();
        assertEquals(true, finalized > 0, "sessions finalized before the runs compared");
        for (int run = 4; run < 7; run++) { // within the horizon of the jump, behind no cutoff
            assertRunReportsByComparison(state, r, later - 120 * MINUTE, run, seed);
        }
    }

    private static void assertRunReportsByComparison(SessionState state, Random r, long from, int run, long seed) {
        Map<Long, List<Session>> before = openSessions(state);
        List<SessionRevision> reported = runRandom(state, r, from, run);
        assertEquals(byComparingSessions(before, openSessions(state), state.sequence()), reported,
                "run " + run + " of seed " + seed);
    }

    /** One to eight events of customers 1 to 3 within 300 minutes from {@code from}, of every kind a row shows. */
    private static List<SessionRevision> runRandom(SessionState state, Random r, long from, int run) {
        IncrementalRun incremental = new IncrementalRun(state);
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
            // ids now and then smaller than earlier ones at the same minute: the first event moves, the id changes
            long id = run * 100L + i + (r.nextInt(5) == 0 ? 1_000_000 : 1_000);
            incremental.offer(new Event(id, TYPES[r.nextInt(TYPES.length)], 1 + r.nextInt(3),
                    from + r.nextInt(300) * MINUTE, pick(r, "ua-1", "ua-2", null), pick(r, "10.0.0.1", "10.0.0.2", null),
                    pick(r, "/a", "/b", null), pick(r, "https://x.example/", "https://y.example/", "", null), null,
                    null, null, null));
        }
        return incremental.finish("events/" + run, "etag").revisions();
    }

    /** Every field of an open session that its row shows decides whether the run writes a revision. */
    @Test
    void sessionsAreTheSameExactlyWhenTheirRowsAre() throws ReflectiveOperationException {
        for (Field f : OpenSession.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || f.getName().startsWith("cached")
                    || f.getName().equals("hostParsedFrom")) {
                continue;
            }
            OpenSession a = sample();
            OpenSession b = a.copy();
            f.setAccessible(true);
            if (f.getType() == long.class) {
                f.setLong(b, f.getLong(b) + 1);
            } else if (f.getType() == int.class) {
                f.setInt(b, f.getInt(b) + 1);
            } else {
                f.set(b, f.get(b) + "-other");
            }
            for (String cache : new String[] {"cachedId", "cachedHost", "hostParsedFrom"}) {
                Field c = OpenSession.class.getDeclaredField(cache); // b's row from its own fields
                c.setAccessible(true);
                c.set(b, null);
            }
            boolean sameRow = a.toSession(7, 1).equals(b.toSession(7, 1));
            assertEquals(sameRow, a.sameSessionAs(b), f.getName());
            assertEquals(true, a.sameSessionAs(a.copy()), f.getName());
        }
    }

    /** A copy holds every field of the session it was taken from: the snapshot the changelog compares against. */
    @Test
    void aCopyHasEveryField() throws ReflectiveOperationException {
        OpenSession s = sample();
        s.toSession(7, 1); // its id and host cached too
        OpenSession copy = s.copy();
        for (Field f : OpenSession.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                assertEquals(f.get(s), f.get(copy), f.getName());
            }
        }
    }

    private static OpenSession sample() {
        OpenSession s = OpenSession.of(new Event(10, "page_view", 7, T0, "ua", "10.0.0.1", "/landing",
                "https://ref.example/", null, null, null, null));
        int id = 11;
        for (String type : TYPES) { // every count above zero
            s.absorb(new Event(id, type, 7, T0 + id * MINUTE, "ua", "10.0.0.1", null, null, null, null, null, null));
            id++;
        }
        return s;
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }

    private static Map<Long, List<Session>> openSessions(SessionState state) {
        Map<Long, List<Session>> out = new TreeMap<>();
        for (CustomerHistory c : state.loadedCustomers()) {
            out.put(c.customerId(), c.currentOpenSessions());
        }
        return out;
    }

    private static List<SessionRevision> byComparingSessions(Map<Long, List<Session>> before,
            Map<Long, List<Session>> after, long revision) {
        List<SessionRevision> rows = new ArrayList<>();
        for (Map.Entry<Long, List<Session>> c : after.entrySet()) {
            Map<String, Session> previous = new LinkedHashMap<>();
            for (Session s : before.getOrDefault(c.getKey(), List.of())) {
                previous.put(s.sessionId(), s);
            }
            for (Session now : c.getValue()) {
                if (!now.equals(previous.remove(now.sessionId()))) {
                    rows.add(new SessionRevision(now, revision, false));
                }
            }
            for (Session gone : previous.values()) {
                rows.add(new SessionRevision(gone, revision, true));
            }
        }
        return rows;
    }
}
