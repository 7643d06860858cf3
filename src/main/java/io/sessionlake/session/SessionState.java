package io.sessionlake.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything carried over between runs (SPEC 4): the watermark, the ledger of processed objects, the aggregates
 * the metrics are computed from, and two maps in leaves that are read only where a run needs them: the customers
 * (open sessions and finalized summaries, in range leaves) and the dedupe window (event id to minute, in generations
 * of range leaves: {@link DedupeWindow}). One run at a
 * time owns and mutates it; {@link StateSeal} turns what it changed into new leaves and a manifest.
 */
public final class SessionState {
    public static final long NO_WATERMARK = Long.MIN_VALUE;
    /** Key for sessions without a referrer in {@link StateAggregates#durationsByHost()}. */
    public static final String NO_REFERRER = "";
    private static final long MICROS_PER_MINUTE = 60_000_000L;

    final SessionConfig config;
    long sequence;
    long watermark = NO_WATERMARK;
    final TreeMap<String, String> ledger;
    final DedupeWindow window;
    final Leaves<CustomerIndex> customers;
    final StateAggregates aggregates;
    /** Leaves no longer in the state, kept for readers of older manifests until their grace period ends. */
    final List<RetiredLeaf> retired;
    /** The base the manifest lists the customer leaves on, or null (a new state, or one listing every leaf). */
    final ManifestBase customerBase;

    SessionState(SessionConfig config, long sequence, long watermark, TreeMap<String, String> ledger,
            DedupeWindow window, Leaves<CustomerIndex> customers, StateAggregates aggregates,
            List<RetiredLeaf> retired, ManifestBase customerBase) {
        this.config = config;
        this.sequence = sequence;
        this.watermark = watermark;
        this.ledger = ledger;
        this.window = window;
        this.customers = customers;
        this.aggregates = aggregates;
        this.retired = retired;
        this.customerBase = customerBase;
    }

    public static SessionState empty(SessionConfig config) {
        return new SessionState(config, 0, NO_WATERMARK, new TreeMap<>(),
                new DedupeWindow(List.of(), Map.of(), LeafSource.NONE),
                new Leaves<>(List.of(), Map.of(), LeafSource.NONE, LeafCodec::decodeCustomers, () -> new CustomerIndex(16)),
                StateAggregates.empty(), new ArrayList<>(), null);
    }

    /** A state of the single-object format, held whole: every leaf is written by the run that converts it. */
    static SessionState whole(SessionConfig config, long sequence, long watermark, TreeMap<String, String> ledger,
            LongIntMap seenEvents, CustomerIndex customers, Map<String, LongIntMap> finalizedDurationsByHost) {
        return new SessionState(config, sequence, watermark, ledger,
                DedupeWindow.converted(seenEvents),
                Leaves.inMemory(customers, LeafCodec::decodeCustomers, () -> new CustomerIndex(16)),
                StateAggregates.of(customers, finalizedDurationsByHost), new ArrayList<>(), null);
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
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.floorDiv(micros, MICROS_PER_MINUTE)));
    }

    /** The customers read so far (all of them for a new or converted state), in no particular order. */
    public Collection<CustomerHistory> loadedCustomers() {
        List<CustomerHistory> out = new ArrayList<>();
        for (Leaves.Slot<CustomerIndex> s : customers.touched()) {
            if (s.loaded()) {
                out.addAll(s.content);
            }
        }
        return out;
    }

    /**
     * Bytes of the leaves this state was loaded with (as its manifest names them; leaves changed since not counted), and
     * of the base its manifest lists the customer leaves on.
     */
    public long storedLeafBytes() {
        long n = customerBase == null ? 0 : customerBase.place().bytes();
        n += window.storedLeafBytes();
        for (int i = 0; i < customers.size(); i++) {
            LeafRef ref = customers.ref(i);
            n += ref == null ? 0 : ref.bytes();
        }
        return n;
    }

    /** What the metrics are computed from, over every customer, read or not. */
    public StateAggregates aggregates() {
        return aggregates;
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

    /** A leaf that left the state at {@code retiredAtMillis}, to delete once no run can still be reading it. */
    public record RetiredLeaf(String key, long retiredAtMillis) {
    }
}
