package io.sessionlake.session;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything carried over between runs (SPEC 4): the watermark, the open sessions and finalized
 * summaries per customer, the ids seen inside the horizon (dedupe), duration counts of finalized sessions
 * per referrer host, and the ledger of processed objects. One run at a time owns and mutates it.
 */
public final class SessionState {
    public static final long NO_WATERMARK = Long.MIN_VALUE;
    /** Key for sessions without a referrer in {@link #finalizedDurationsByHost()}. */
    public static final String NO_REFERRER = "";
    private static final long MICROS_PER_MINUTE = 60_000_000L;

    final SessionConfig config;
    long sequence;
    long watermark = NO_WATERMARK;
    final TreeMap<String, String> ledger;
    final LongIntMap seenEvents;
    final CustomerIndex customers;
    final TreeMap<String, LongIntMap> finalizedDurationsByHost;

    SessionState(SessionConfig config, long sequence, long watermark, TreeMap<String, String> ledger,
            LongIntMap seenEvents, CustomerIndex customers,
            TreeMap<String, LongIntMap> finalizedDurationsByHost) {
        this.config = config;
        this.sequence = sequence;
        this.watermark = watermark;
        this.ledger = ledger;
        this.seenEvents = seenEvents;
        this.customers = customers;
        this.finalizedDurationsByHost = finalizedDurationsByHost;
    }

    public static SessionState empty(SessionConfig config) {
        return new SessionState(config, 0, NO_WATERMARK, new TreeMap<>(), new LongIntMap(),
                new CustomerIndex(16), new TreeMap<>());
    }

    public SessionConfig config() {
        return config;
    }

    /** Number of committed runs; a run's rows carry {@code sequence() + 1} as their revision. */
    public long sequence() {
        return sequence;
    }

    /** The newest event time accepted so far, or {@link #NO_WATERMARK}. */
    public long watermark() {
        return watermark;
    }

    /** True when this exact object version (key and ETag) has already been processed. */
    public boolean hasProcessed(String objectKey, String etag) {
        return etag.equals(ledger.get(objectKey));
    }

    public Map<String, String> ledger() {
        return java.util.Collections.unmodifiableMap(ledger);
    }

    /**
     * The minute of an event time, as the dedupe window keeps it: the window only decides when an id may
     * be forgotten, and rounding down keeps every id that must be kept (a few for up to a minute longer).
     * Times beyond the int range of minutes (before 2113 BC, after AD 6053) are clamped, which keeps that order.
     */
    static int minuteOf(long micros) {
        long minute = Math.floorDiv(micros, MICROS_PER_MINUTE);
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, minute));
    }

    public int eventsInDedupeWindow() {
        return seenEvents.size();
    }

    public Collection<CustomerHistory> customers() {
        return java.util.Collections.unmodifiableCollection(customers);
    }

    /** Duration counts (micros to count) of finalized sessions per referrer host. */
    public Map<String, LongIntMap> finalizedDurationsByHost() {
        return java.util.Collections.unmodifiableMap(finalizedDurationsByHost);
    }

    /**
     * Refuses to continue a state built with another session definition: mixing two timeouts in one
     * history would make every later number wrong without a trace.
     */
    public void requireConfig(SessionConfig wanted) {
        if (!config.equals(wanted)) {
            throw new IllegalStateException("the state was built with inactivity " + config.inactivityText()
                    + " and horizon " + config.horizonText() + ", but this run is configured with inactivity "
                    + wanted.inactivityText() + " and horizon " + wanted.horizonText()
                    + "; use the same settings, or rebuild: delete state/ and the outputs and process all events again");
        }
    }
}
