package io.sessionlake.session;

import io.sessionlake.feed.Event;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sessionizes the events of one input object into a state, then reports what changed as a changelog
 * (SPEC 4, 6): a revision for every session that is new or different, a tombstone for every session id
 * that disappeared because an event merged it into another. This is the one place those rules live.
 *
 * <p>Lateness is judged against the watermark at the start of the run, so the verdict of an event does
 * not depend on where in the object it stands.
 */
public final class IncrementalRun {
    public enum Verdict { ACCEPTED, DUPLICATE, LATE }

    private final SessionState state;
    private final long inactivity;
    private final long horizon;
    private final long revision;
    private final long watermarkBefore;
    private long newestAccepted = SessionState.NO_WATERMARK;
    /** Customers touched by this run; each holds its open sessions as they were before it. */
    private final List<CustomerHistory> touched = new ArrayList<>();
    private boolean finished;
    private CustomerHistory lastCustomer;

    public IncrementalRun(SessionState state) {
        this.state = state;
        this.inactivity = state.config.inactivityMicros();
        this.horizon = state.config.horizonMicros();
        this.revision = state.sequence + 1;
        this.watermarkBefore = state.watermark;
    }

    public long revision() {
        return revision;
    }

    public Verdict offer(Event e) {
        if (finished) {
            throw new IllegalStateException("run already finished");
        }
        if (isLate(e.timeMicros())) {
            return Verdict.LATE;
        }
        if (!state.seenEvents.putIfAbsent(e.id(), SessionState.minuteOf(e.timeMicros()))) {
            return Verdict.DUPLICATE;
        }
        newestAccepted = Math.max(newestAccepted, e.timeMicros());
        // a customer's events mostly follow each other in the feed: the index only for another customer
        CustomerHistory customer = lastCustomer != null && lastCustomer.customerId() == e.customerId() ? lastCustomer
                : state.customers.get(e.customerId());
        if (customer == null) {
            customer = new CustomerHistory(e.customerId());
            state.customers.insert(customer);
        }
        lastCustomer = customer;
        if (customer.snapshotRevision != revision) {
            customer.snapshotRevision = revision;
            customer.snapshot = customer.open.isEmpty() ? List.of() : customer.currentOpenSessions();
            touched.add(customer);
        }
        customer.place(e, inactivity);
        return Verdict.ACCEPTED;
    }

    /** True when an event of this time is behind the lateness horizon for this run. */
    public boolean isLate(long timeMicros) {
        return watermarkBefore != SessionState.NO_WATERMARK && watermarkBefore - timeMicros > horizon;
    }

    /**
     * Ends the run: computes the changelog, advances the watermark, records the object in the ledger,
     * and moves sessions that no in-time event can reach any more out of the open set.
     */
    public RunChanges finish(String objectKey, String etag) {
        List<SessionRevision> changes = new ArrayList<>();
        RunChanges summary = finish(objectKey, etag, changes::add);
        return new RunChanges(changes, summary.watermarkBefore(), summary.watermarkAfter(), summary.revision(),
                summary.sessionsFinalized());
    }

    /**
     * As {@link #finish(String, String)}, but hands each changelog row to {@code sink} as it is computed
     * instead of collecting them: a large object touches millions of sessions. The returned changes list is empty.
     */
    public RunChanges finish(String objectKey, String etag, Consumer<SessionRevision> sink) {
        finished = true;
        changelog(sink);
        long watermarkAfter = Math.max(watermarkBefore, newestAccepted);
        state.watermark = watermarkAfter;
        state.sequence = revision;
        state.ledger.put(objectKey, etag);
        int finalizedNow = 0;
        if (watermarkAfter != SessionState.NO_WATERMARK) {
            finalizedNow = finalizeOldSessions(watermarkAfter - horizon - inactivity);
            state.seenEvents.retainValuesAtLeast(SessionState.minuteOf(watermarkAfter - horizon));
        }
        return new RunChanges(List.of(), watermarkBefore, watermarkAfter, revision, finalizedNow);
    }

    private void changelog(Consumer<SessionRevision> out) {
        touched.sort((a, b) -> Long.compare(a.customerId(), b.customerId()));
        for (CustomerHistory customer : touched) {
            if (customer.snapshot.isEmpty()) {
                // a customer new to the open set: every session is new, nothing can disappear
                customer.snapshot = null;
                for (Session now : customer.currentOpenSessions()) {
                    out.accept(new SessionRevision(now, revision, false));
                }
                continue;
            }
            Map<String, Session> previous = new LinkedHashMap<>();
            for (Session s : customer.snapshot) {
                previous.put(s.sessionId(), s);
            }
            customer.snapshot = null;
            for (Session now : customer.currentOpenSessions()) {
                Session was = previous.remove(now.sessionId());
                if (!now.equals(was)) {
                    out.accept(new SessionRevision(now, revision, false));
                }
            }
            for (Session gone : previous.values()) {
                out.accept(new SessionRevision(gone, revision, true));
            }
        }
    }

    private int finalizeOldSessions(long cutoff) {
        int[] count = {0};
        for (CustomerHistory customer : state.customers) {
            customer.finalizeEndingBefore(cutoff, s -> {
                count[0]++;
                String host = s.referrerHost() == null ? SessionState.NO_REFERRER : s.referrerHost();
                state.finalizedDurationsByHost.computeIfAbsent(host, h -> new LongIntMap()).add(s.durationMicros(), 1);
            });
        }
        return count[0];
    }

    /** What a run changed: the changelog rows and the watermark movement. */
    public record RunChanges(List<SessionRevision> revisions, long watermarkBefore, long watermarkAfter,
            long revision, int sessionsFinalized) {
    }
}
