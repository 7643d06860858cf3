package io.sessionlake.session;

import java.util.Arrays;

/**
 * What the metrics still need of a customer's sessions that left the state (SPEC 4-5): how many there
 * were, and, until the first purchase session, each one's duration. Compact: nothing after the first order.
 */
public final class FinalizedHistory {
    int sessions;
    boolean purchased;
    private static final long[] NONE = new long[0];
    private long[] durationsBeforePurchase = NONE;

    void absorb(Session s) {
        sessions++;
        if (purchased) {
            return;
        }
        if (s.hasOrder()) {
            purchased = true;
        } else {
            durationsBeforePurchase = Arrays.copyOf(durationsBeforePurchase, durationsBeforePurchase.length + 1);
            durationsBeforePurchase[durationsBeforePurchase.length - 1] = s.durationMicros();
        }
    }

    public int sessions() {
        return sessions;
    }

    public boolean purchased() {
        return purchased;
    }

    /** Durations (micros) of the finalized sessions before the first purchase session, oldest first. */
    public long[] durationsBeforePurchase() {
        return durationsBeforePurchase;
    }

    static FinalizedHistory restore(int sessions, boolean purchased, long[] durationsBeforePurchase) {
        FinalizedHistory h = new FinalizedHistory();
        h.sessions = sessions;
        h.purchased = purchased;
        h.durationsBeforePurchase = durationsBeforePurchase;
        return h;
    }
}
