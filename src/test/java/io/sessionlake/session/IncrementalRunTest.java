package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.feed.Event;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The edges of SPEC 3-4, one behaviour per test. */
class IncrementalRunTest {
    private static final long MINUTE = 60_000_000L;
    private static final long T0 = 1_650_000_000_000_000L;

    private static Event event(long id, long customer, long minute, String type, String page, String referrer) {
        return new Event(id, type, customer, T0 + minute * MINUTE, "ua-" + id, "ip-" + id, page, referrer, null, null,
                null, null);
    }

    private static Event view(long id, long minute) {
        return event(id, 7, minute, "page_view", "/p" + id, null);
    }

    private static IncrementalRun.RunChanges runOnce(SessionState state, Event... events) {
        IncrementalRun run = new IncrementalRun(state);
        for (Event e : events) {
            run.offer(e);
        }
        return run.finish("events/" + state.sequence(), "etag");
    }

    @Test
    void exactlyThirtyMinutesStaysInTheSession() {
        SessionState state = SessionState.empty(SessionConfig.DEFAULT);
        List<SessionRevision> out = runOnce(state, view(1, 0), view(2, 30)).revisions();
        assertEquals(1, out.size());
        assertEquals(2, out.get(0).session().eventCount());
        assertEquals(1800.0, out.get(0).session().durationSeconds());
    }

    @Test
    void thirtyMinutesAndOneMicrosecondSplits() {
        SessionState state = SessionState.empty(SessionConfig.DEFAULT);
        Event late = new Event(2, "page_view", 7, T0 + 30 * MINUTE + 1, null, null, null, null, null, null, null, null);
        assertEquals(2, runOnce(state, view(1, 0), late).revisions().size());
    }

    @Test
    void eventsWithTheSameTimestampAreOrderedById() {
        SessionState state = SessionState.empty(SessionConfig.DEFAULT);
        Session s = runOnce(state, event(16, 7, 0, "add_product_to_cart", null, null),
                event(15, 7, 0, "page_view", "/landing", "https://ref.example/")).revisions().get(0).session();
        assertEquals("/landing", s.landingPage());
        assertEquals("ua-15", s.userAgent());
        assertEquals(OpenSession.idFor(7, 15, T0), s.sessionId());
    }

    @Test
    void bridgingEventMergesTwoSessionsAndTombstonesTheLaterId() {
        SessionState state = SessionState.empty(SessionConfig.DEFAULT);
        List<SessionRevision> first = runOnce(state, view(1, 0), view(2, 50)).revisions();
        assertEquals(2, first.size());
        List<SessionRevision> second = runOnce(state, view(3, 25)).revisions();
        assertEquals(2, second.size());
        SessionRevision merged = second.stream().filter(r -> !r.deleted()).findFirst().orElseThrow();
        SessionRevision tombstone = second.stream().filter(SessionRevision::deleted).findFirst().orElseThrow();
        assertEquals(3, merged.session().eventCount());
        assertEquals(first.get(0).session().sessionId(), merged.session().sessionId());
        assertEquals(first.get(1).session().sessionId(), tombstone.session().sessionId());
        assertEquals(2, merged.revision());
        assertEquals(2, tombstone.revision());
    }

    @Test
    void earlierEventChangesTheSessionIdAndTombstonesTheOldOne() {
        SessionState state = SessionState.empty(SessionConfig.DEFAULT);
        String oldId = runOnce(state, view(5, 10)).revisions().get(0).session().sessionId();
        List<SessionRevision> out = runOnce(state, view(4, 0)).revisions();
        assertEquals(2, out.size());
        assertTrue(out.stream().anyMatch(r -> r.deleted() && r.session().sessionId().equals(oldId)));
        assertTrue(out.stream().anyMatch(r -> !r.deleted() && r.session().eventCount() == 2));
    }

    @Test
    void unchangedSessionsGetNoNewRevision() {
        SessionState state = SessionState.empty(SessionConfig.DEFAULT);
        runOnce(state, view(1, 0), view(2, 100));
        List<SessionRevision> out = runOnce(state, view(3, 105)).revisions();
        assertEquals(1, out.size());
        assertEquals(2, out.get(0).session().eventCount());
    }

    @Test
    void eventBehindTheHorizonIsLate() {
        SessionState state = SessionState.empty(new SessionConfig(Duration.ofMinutes(30), Duration.ofHours(1)));
        runOnce(state, view(1, 600));
        IncrementalRun run = new IncrementalRun(state);
        assertEquals(IncrementalRun.Verdict.LATE, run.offer(view(2, 539)));
        assertEquals(IncrementalRun.Verdict.ACCEPTED, run.offer(view(3, 540)));
    }

    @Test
    void sameEventIdTwiceIsADuplicate() {
        SessionState state = SessionState.empty(SessionConfig.DEFAULT);
        IncrementalRun run = new IncrementalRun(state);
        assertEquals(IncrementalRun.Verdict.ACCEPTED, run.offer(view(1, 0)));
        assertEquals(IncrementalRun.Verdict.DUPLICATE, run.offer(view(1, 0)));
        assertEquals(1, run.finish("k", "e").revisions().get(0).session().eventCount());
    }

    @Test
    void duplicateInALaterRunIsStillRecognised() {
        SessionState state = SessionState.empty(SessionConfig.DEFAULT);
        runOnce(state, view(1, 0));
        assertEquals(IncrementalRun.Verdict.DUPLICATE, new IncrementalRun(state).offer(view(1, 0)));
    }

    @Test
    void watermarkIsTheNewestAcceptedEventTime() {
        SessionState state = SessionState.empty(SessionConfig.DEFAULT);
        IncrementalRun.RunChanges c = runOnce(state, view(1, 10), view(2, 3));
        assertEquals(SessionState.NO_WATERMARK, c.watermarkBefore());
        assertEquals(T0 + 10 * MINUTE, c.watermarkAfter());
        assertEquals(T0 + 10 * MINUTE, state.watermark());
    }

    @Test
    void sessionsOutOfReachAreFinalizedButKeepTheirPlaceInTheNumbering() {
        SessionState state = SessionState.empty(new SessionConfig(Duration.ofMinutes(30), Duration.ofHours(1)));
        runOnce(state, view(1, 0));
        IncrementalRun.RunChanges c = runOnce(state, view(2, 200));
        assertEquals(1, c.sessionsFinalized());
        Session later = runOnce(state, view(3, 260)).revisions().get(0).session();
        assertEquals(3, later.sessionNumber());
        assertEquals(1, state.loadedCustomers().iterator().next().finalized().sessions());
    }

    @Test
    void firstNonEmptyReferrerIsTheSessionsReferrer() {
        SessionState state = SessionState.empty(SessionConfig.DEFAULT);
        Session s = runOnce(state, event(1, 7, 0, "page_view", "/a", ""),
                event(2, 7, 1, "page_view", "/b", "https://www.Google.com/search"),
                event(3, 7, 2, "page_view", "/c", "https://t.co/x")).revisions().get(0).session();
        assertEquals("https://www.Google.com/search", s.referrer());
        assertEquals("google.com", s.referrerHost());
        assertEquals("/a", s.landingPage());
    }

    @Test
    void orderCountsMakeAPurchaseSession() {
        SessionState state = SessionState.empty(SessionConfig.DEFAULT);
        Session s = runOnce(state, view(1, 0), event(2, 7, 1, "placed_order", null, null),
                event(3, 7, 2, "PLACED_ORDER".toLowerCase(), null, null)).revisions().get(0).session();
        assertTrue(s.hasOrder());
        assertEquals(2, s.orderCount());
        assertFalse(runOnce(SessionState.empty(SessionConfig.DEFAULT), view(9, 0)).revisions().get(0).session().hasOrder());
    }

    @Test
    void stateWithAnotherTimeoutIsRefused() {
        SessionState state = SessionState.empty(SessionConfig.DEFAULT);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> state.requireConfig(new SessionConfig(Duration.ofMinutes(45), Duration.ofDays(7))));
        assertTrue(e.getMessage().contains("rebuild"), e.getMessage());
    }
}
