package io.sessionlake.session;

import io.sessionlake.feed.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One customer's sessions: the finalized ones folded into a summary, the open ones (still revisable)
 * as aggregates ordered by start. Open sessions are separated by more than the inactivity timeout.
 */
public final class CustomerHistory implements CustomerEntry {
    private final long customerId;
    final FinalizedHistory finalized;
    final ArrayList<OpenSession> open;
    /** Run bookkeeping, never encoded: the revision of the run that last touched this customer ... */
    long snapshotRevision;
    /**
     * ... and copies of the open sessions as that run found them, to compute its changelog: copies, not
     * {@link Session}s, so that a session the run leaves as it was costs no id (a SHA-256) and no row.
     */
    List<OpenSession> snapshot;

    CustomerHistory(long customerId) {
        this(customerId, new FinalizedHistory(), new ArrayList<>(2));
    }

    CustomerHistory(long customerId, FinalizedHistory finalized, ArrayList<OpenSession> open) {
        this.customerId = customerId;
        this.finalized = finalized;
        this.open = open;
    }

    @Override
    public long customerId() {
        return customerId;
    }

    public FinalizedHistory finalized() {
        return finalized;
    }

    /**
     * Places an event: it joins every open session it lies within the inactivity timeout of (a gap of
     * exactly the timeout stays in), merging them when it bridges two; otherwise it opens a session.
     */
    void place(Event e, long inactivityMicros) {
        long t = e.timeMicros();
        int first = -1;
        int last = -1;
        int insertAt = open.size();
        for (int j = open.size() - 1; j >= 0; j--) {
            OpenSession s = open.get(j);
            if (s.start() - inactivityMicros > t) {
                insertAt = j;
                continue;
            }
            if (s.end() + inactivityMicros >= t) {
                if (last < 0) {
                    last = j;
                }
                first = j;
                continue;
            }
            break;
        }
        if (first < 0) {
            open.add(insertAt, OpenSession.of(e));
            return;
        }
        OpenSession target = open.get(first);
        target.absorb(e);
        for (int j = last; j > first; j--) {
            target.absorb(open.remove(j));
        }
    }

    /** The current sessions of this customer that are still open, numbered after the finalized ones. */
    public List<Session> currentOpenSessions() {
        List<Session> out = new ArrayList<>(open.size());
        for (int i = 0; i < open.size(); i++) {
            out.add(open.get(i).toSession(customerId, finalized.sessions + i + 1));
        }
        return out;
    }

    /** Copies of the open sessions as they are now. */
    List<OpenSession> copyOfOpen() {
        List<OpenSession> copy = new ArrayList<>(open.size());
        for (OpenSession s : open) {
            copy.add(s.copy());
        }
        return copy;
    }

    /** How many sessions are open; with the accessors below, what metrics need of them without building each. */
    public int openSessionCount() {
        return open.size();
    }

    /** The duration of the {@code i}-th open session (by start), as {@link Session#durationMicros()}. */
    public long openDurationMicros(int i) {
        return open.get(i).durationMicros();
    }

    public boolean openHasOrder(int i) {
        return open.get(i).hasOrder();
    }

    public String openReferrerHost(int i) {
        return open.get(i).referrerHost();
    }

    /** Moves sessions that no in-time event can reach any more into the finalized summary. */
    void finalizeEndingBefore(long cutoffMicros, Consumer<Session> onFinalized) {
        int n = 0;
        while (n < open.size() && open.get(n).end() < cutoffMicros) {
            n++;
        }
        for (int i = 0; i < n; i++) {
            Session s = open.get(i).toSession(customerId, finalized.sessions + 1);
            finalized.absorb(s);
            onFinalized.accept(s);
        }
        if (n > 0) {
            open.subList(0, n).clear();
        }
    }
}
