package io.sessionlake.session;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the metrics need of every customer, summed, so that a run computes them without reading every customer:
 * a run takes out each customer it touches as it was before (on first touch) and puts it back as it is after.
 * Values are counts of equal values (micros or session counts to how often they occur): medians and percentiles
 * come out of them exactly. A count may pass through zero within a run; zeros are not encoded.
 */
public final class StateAggregates {
    long customers;
    long sessions;
    /** Sessions before the first purchase session, per purchasing customer: value to customers. */
    final LongIntMap visitsBeforeOrder;
    /** Duration (micros) of each session before a customer's first purchase session: value to sessions. */
    final LongIntMap durationsBeforeOrder;
    /** Sum of those durations per purchasing customer: value to customers. */
    final LongIntMap totalsBeforeOrder;
    /** Per referrer host ({@link SessionState#NO_REFERRER} for none), durations of all sessions, finalized or open. */
    final TreeMap<String, LongIntMap> durationsByHost;

    StateAggregates(long customers, long sessions, LongIntMap visitsBeforeOrder, LongIntMap durationsBeforeOrder,
            LongIntMap totalsBeforeOrder, TreeMap<String, LongIntMap> durationsByHost) {
        this.customers = customers;
        this.sessions = sessions;
        this.visitsBeforeOrder = visitsBeforeOrder;
        this.durationsBeforeOrder = durationsBeforeOrder;
        this.totalsBeforeOrder = totalsBeforeOrder;
        this.durationsByHost = durationsByHost;
    }

    static StateAggregates empty() {
        return new StateAggregates(0, 0, new LongIntMap(), new LongIntMap(), new LongIntMap(), new TreeMap<>());
    }

    /**
     * Of a state held whole (converted from the single-object format): the finalized sessions' durations per host
     * as that format kept them, and every customer.
     */
    static StateAggregates of(Iterable<CustomerHistory> customers, Map<String, LongIntMap> finalizedDurationsByHost) {
        StateAggregates a = empty();
        finalizedDurationsByHost.forEach((host, counts) -> {
            LongIntMap into = a.host(host);
            counts.forEach(into::add);
        });
        for (CustomerHistory c : customers) {
            a.add(c, 1);
        }
        return a;
    }

    /**
     * Adds ({@code sign} 1) or takes out (-1) one customer: its sessions, the durations of its open sessions by
     * host (finalized ones stay counted as they leave the open set, so finalizing changes nothing here), and what
     * it had before its first purchase.
     */
    void add(CustomerHistory c, int sign) {
        int open = c.open.size();
        int total = c.finalized.sessions + open;
        if (total == 0) {
            return;
        }
        customers += sign;
        sessions += (long) sign * total;
        for (int i = 0; i < open; i++) {
            OpenSession s = c.open.get(i);
            String host = s.referrerHost();
            host(host == null ? SessionState.NO_REFERRER : host).add(s.durationMicros(), sign);
        }
        int before = sessionsBeforeFirstOrder(c);
        if (before < 0) {
            return;
        }
        visitsBeforeOrder.add(before, sign);
        long sum = 0;
        long[] finalizedBefore = c.finalized.durationsBeforePurchase();
        for (long d : finalizedBefore) {
            durationsBeforeOrder.add(d, sign);
            sum += d;
        }
        for (int i = 0; i < before - finalizedBefore.length; i++) {
            long d = c.open.get(i).durationMicros();
            durationsBeforeOrder.add(d, sign);
            sum += d;
        }
        totalsBeforeOrder.add(sum, sign);
    }

    /**
     * How many sessions the customer had before their first purchase session: the finalized ones, then the open
     * ones up to the first with an order; -1 when there is no purchase yet.
     */
    private static int sessionsBeforeFirstOrder(CustomerHistory c) {
        int finalizedBefore = c.finalized.durationsBeforePurchase().length;
        if (c.finalized.purchased) {
            return finalizedBefore;
        }
        for (int i = 0; i < c.open.size(); i++) {
            if (c.open.get(i).hasOrder()) {
                return finalizedBefore + i;
            }
        }
        return -1;
    }

    private LongIntMap host(String host) {
        return durationsByHost.computeIfAbsent(host, h -> new LongIntMap());
    }

    /** Customers with at least one session. */
    public long customers() {
        return customers;
    }

    public long sessions() {
        return sessions;
    }

    public LongIntMap visitsBeforeOrder() {
        return visitsBeforeOrder;
    }

    public LongIntMap durationsBeforeOrder() {
        return durationsBeforeOrder;
    }

    public LongIntMap totalsBeforeOrder() {
        return totalsBeforeOrder;
    }

    public Map<String, LongIntMap> durationsByHost() {
        return Collections.unmodifiableMap(durationsByHost);
    }
}
