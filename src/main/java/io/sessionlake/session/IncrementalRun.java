package io.sessionlake.session;

import io.sessionlake.feed.Event;
import java.util.ArrayList;
import java.util.List;
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
    /** Ids in the dedupe window with an older minute were forgotten: a generation not merged since may still hold them. */
    private final int windowFloor;
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
        this.windowFloor = watermarkBefore == SessionState.NO_WATERMARK ? Integer.MIN_VALUE
                : SessionState.minuteOf(watermarkBefore - horizon);
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
        if (!state.window.putUnlessAtLeast(e.id(), SessionState.minuteOf(e.timeMicros()), windowFloor)) {
            return Verdict.DUPLICATE;
        }
        newestAccepted = Math.max(newestAccepted, e.timeMicros());
        // a customer's events mostly follow each other in the feed: the leaves only for another customer
        CustomerHistory customer = lastCustomer;
        if (customer == null || customer.customerId() != e.customerId()) {
            Leaves.Slot<CustomerIndex> leaf = state.customers.slotFor(e.customerId());
            leaf.changed = true;
            customer = leaf.content.get(e.customerId());
            if (customer == null) {
                customer = new CustomerHistory(e.customerId());
                leaf.content.insert(customer);
            }
        }
        lastCustomer = customer;
        if (customer.snapshotRevision != revision) {
            customer.snapshotRevision = revision;
            customer.snapshot = customer.open.isEmpty() ? List.of() : customer.copyOfOpen();
            touched.add(customer);
            state.aggregates.add(customer, -1); // as it was before this run; added back as it is after
        }
        customer.place(e, inactivity);
        return Verdict.ACCEPTED;
    }

    /**
     * Reads, in one go, the leaves the next events will need (event ids and customer ids, the first {@code n} of
     * each): a store reads them in parallel, where {@link #offer} would read them one at a time.
     */
    public void prefetch(long[] eventIds, long[] customerIds, int n) {
        state.customers.readTogether(state.customers.unreadFor(customerIds, n),
                state.window.unread(eventIds, n, windowFloor), state.window::filled);
    }

    /** True when an event of this time is behind the lateness horizon for this run. */
    public boolean isLate(long timeMicros) {
        return watermarkBefore != SessionState.NO_WATERMARK && watermarkBefore - timeMicros > horizon;
    }

    /**
     * Ends the run: computes the changelog, advances the watermark, records the object in the ledger,
     * and moves sessions that no in-time event can reach any more out of the open set, in the customers this
     * run read (elsewhere they wait for a run that reads them: no in-time event can change them, and no output or
     * metric tells an open session that cannot change from a finalized one).
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
        for (CustomerHistory customer : touched) {
            state.aggregates.add(customer, 1);
        }
        long watermarkAfter = Math.max(watermarkBefore, newestAccepted);
        state.watermark = watermarkAfter;
        state.sequence = revision;
        state.ledger.put(objectKey, etag);
        int finalizedNow = 0;
        if (watermarkAfter != SessionState.NO_WATERMARK) {
            finalizedNow = finalizeOldSessions(watermarkAfter - horizon - inactivity);
            forgetIdsBehind(SessionState.minuteOf(watermarkAfter - horizon));
        }
        return new RunChanges(List.of(), watermarkBefore, watermarkAfter, revision, finalizedNow);
    }

    private void changelog(Consumer<SessionRevision> out) {
        touched.sort((a, b) -> Long.compare(a.customerId(), b.customerId()));
        for (CustomerHistory customer : touched) {
            List<OpenSession> before = customer.snapshot;
            customer.snapshot = null;
            changelog(customer, before, out);
        }
    }

    /**
     * One customer's rows: a revision for each open session that is new or differs from the session of its id before
     * the run (its number included), in order, then a tombstone for each id before the run that is gone. Open sessions
     * are in order of their first event before and after, so one walk over both pairs them by id.
     */
    private void changelog(CustomerHistory customer, List<OpenSession> before, Consumer<SessionRevision> out) {
        long id = customer.customerId();
        int numbered = customer.finalized.sessions; // nothing is finalized during a run
        boolean[] kept = new boolean[before.size()];
        int b = 0;
        List<OpenSession> now = customer.open;
        for (int i = 0; i < now.size(); i++) {
            OpenSession s = now.get(i);
            while (b < before.size() && Event.compareTimeThenId(before.get(b).firstTime, before.get(b).firstId,
                    s.firstTime, s.firstId) < 0) {
                b++;
            }
            boolean unchanged = false;
            if (b < before.size() && before.get(b).sameId(s)) {
                kept[b] = true;
                unchanged = b == i && before.get(b).sameSessionAs(s);
                b++;
            }
            if (!unchanged) {
                out.accept(new SessionRevision(s.toSession(id, numbered + i + 1), revision, false));
            }
        }
        for (int j = 0; j < before.size(); j++) {
            if (!kept[j]) {
                out.accept(new SessionRevision(before.get(j).toSession(id, numbered + j + 1), revision, true));
            }
        }
    }

    /** In the customer leaves this run read; the aggregates count a session the same, open or finalized. */
    private int finalizeOldSessions(long cutoff) {
        int count = 0;
        for (Leaves.Slot<CustomerIndex> leaf : state.customers.touched()) {
            if (!leaf.loaded()) {
                continue;
            }
            int finalized = leaf.content.finalizeEndingBefore(cutoff);
            count += finalized;
            leaf.changed |= finalized > 0;
        }
        return count;
    }

    /**
     * Ids older than the horizon leave the window: whole leaves whose newest minute is older, unread, and the old
     * entries of what this run writes ({@link DedupeWindow#forgetBehind}). Elsewhere they stay until a merge rewrites
     * them, counted as absent.
     */
    private void forgetIdsBehind(int floor) {
        state.window.forgetBehind(floor);
    }

    /** What a run changed: the changelog rows and the watermark movement. */
    public record RunChanges(List<SessionRevision> revisions, long watermarkBefore, long watermarkAfter,
            long revision, int sessionsFinalized) {
    }
}
