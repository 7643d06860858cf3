package io.sessionlake.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sessionlake.feed.Timestamps;
import io.sessionlake.session.SessionConfig;
import java.time.Instant;

/** The metrics object of SPEC 5 as JSON: the numbers, the counts behind them, and what produced them. */
public final class MetricsJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MetricsJson() {
    }

    public static byte[] render(OrderMetrics m, SessionConfig config, long stateSequence, Instant computedAt) {
        ObjectNode root = JSON.createObjectNode();
        root.put("customers", m.customers());
        root.put("sessions", m.sessions());
        root.put("purchasing_customers", m.purchasingCustomers());
        root.put("median_visits_before_order", m.medianVisitsBeforeOrder());
        root.put("median_session_duration_minutes_before_order", m.medianSessionDurationMinutesBeforeOrder());
        root.put("median_total_minutes_before_order", m.medianTotalMinutesBeforeOrder());
        ObjectNode counts = root.putObject("counts");
        counts.put("customers_with_order", m.customersMeasured());
        counts.put("sessions_before_order", m.sessionsBeforeOrder());
        ArrayNode hosts = root.putArray("session_duration_by_referrer_host");
        for (ReferrerDurations r : m.byReferrerHost()) {
            ObjectNode h = hosts.addObject();
            h.put("referrer_host", r.referrerHost());
            h.put("sessions", r.sessions());
            h.put("median_minutes", r.medianMinutes());
            h.put("p90_minutes", r.p90Minutes());
        }
        root.put("data_ends_at", m.watermarkMicros() == Long.MIN_VALUE ? null : Timestamps.format(m.watermarkMicros()));
        root.put("computed_at", computedAt.toString());
        root.put("state_sequence", stateSequence);
        ObjectNode cfg = root.putObject("config");
        cfg.put("inactivity_timeout", config.inactivityText());
        cfg.put("lateness_horizon", config.horizonText());
        cfg.putNull("max_session_duration");
        try {
            return JSON.writeValueAsBytes(root);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
