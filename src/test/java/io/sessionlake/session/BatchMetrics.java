package io.sessionlake.session;

import io.sessionlake.metrics.OrderMetrics;
import io.sessionlake.metrics.Percentiles;
import io.sessionlake.metrics.PublishedMinutes;
import io.sessionlake.metrics.ReferrerDurations;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The test oracle for SPEC 5: the metrics computed directly from a full list of sessions. */
final class BatchMetrics {
    private BatchMetrics() {
    }

    static OrderMetrics of(List<Session> sessions) {
        Map<Long, List<Session>> byCustomer = new TreeMap<>();
        for (Session s : sessions) {
            byCustomer.computeIfAbsent(s.customerId(), c -> new ArrayList<>()).add(s);
        }
        List<Double> visits = new ArrayList<>();
        List<Long> durations = new ArrayList<>();
        List<Long> totals = new ArrayList<>();
        long maxEnd = Long.MIN_VALUE;
        for (List<Session> history : byCustomer.values()) {
            history.sort(Comparator.comparingLong(Session::startMicros));
            int first = -1;
            for (int i = 0; i < history.size(); i++) {
                maxEnd = Math.max(maxEnd, history.get(i).endMicros());
                if (first < 0 && history.get(i).hasOrder()) {
                    first = i;
                }
            }
            if (first < 0) {
                continue;
            }
            visits.add((double) first);
            long total = 0;
            for (int i = 0; i < first; i++) {
                durations.add(history.get(i).durationMicros());
                total += history.get(i).durationMicros();
            }
            totals.add(total);
        }
        Map<String, List<Long>> byHost = new TreeMap<>();
        for (Session s : sessions) {
            byHost.computeIfAbsent(s.referrerHost() == null ? "" : s.referrerHost(), h -> new ArrayList<>())
                    .add(s.durationMicros());
        }
        List<ReferrerDurations> hosts = new ArrayList<>();
        byHost.forEach((host, d) -> {
            double[] m = minutes(d);
            hosts.add(new ReferrerDurations(host.isEmpty() ? null : host, m.length,
                    PublishedMinutes.rounded(Percentiles.median(m)),
                    PublishedMinutes.rounded(Percentiles.continuous(m, 0.9))));
        });
        double[] v = visits.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new OrderMetrics(byCustomer.size(), sessions.size(), visits.size(), Percentiles.median(v), visits.size(),
                PublishedMinutes.rounded(Percentiles.median(minutes(durations))), durations.size(),
                PublishedMinutes.rounded(Percentiles.median(minutes(totals))), hosts,
                sessions.isEmpty() ? Long.MIN_VALUE : maxEnd);
    }

    private static double[] minutes(List<Long> micros) {
        return micros.stream().sorted().mapToDouble(m -> (m / 1_000_000.0) / 60.0).toArray();
    }
}
