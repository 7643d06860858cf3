package io.sessionlake.athena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sessionlake.generator.FeedGenerator;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.session.SessionConfig;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.testing.Buckets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The feeds and helpers that the view tests on DuckDB (AthenaViewsTest) and on Trino (TrinoViewsIT) share. */
final class ViewFeeds {
    static final Path SQL_DIR = Path.of("infra", "athena");
    private static final Pattern WHOLE_MINUTE =
            Pattern.compile("^(\\{\"id\": (\\d+),.*\"timestamp\": \"[^\"]+:)00\\.000000\"");

    private ViewFeeds() {
    }

    /**
     * 300 customers over 12 days from 2022-04-01 with duplicates, late and malformed lines, timestamps with
     * microseconds; to be processed with {@link #generatedSettings()} in the order of {@link #processDaysInOrder}.
     */
    static void generated(Path bucket) throws IOException {
        FeedGenerator.Written feed = new FeedGenerator(new FeedGenerator.Options(300, 12, 3, 0.003, 0.02, 5,
                false, 20220401L, LocalDate.of(2022, 4, 1), 1.5, 0.1)).writeTo(bucket.resolve("events"));
        for (Path file : feed.files()) {
            withMicroseconds(file);
        }
    }

    /** A 2-day horizon, so that most sessions leave the state and the metrics come from finalized summaries. */
    static RunSettings generatedSettings() {
        return RunSettings.defaults().withSessions(new SessionConfig(Duration.ofMinutes(30), Duration.ofDays(2)));
    }

    /**
     * Processes keys events/DAY/part-NNN.jsonl day by day, the parts of a day newest first: later runs move
     * session starts and merge sessions, which gives revisions and tombstones.
     */
    static List<RunReport> processDaysInOrder(LocalFolderStore store, RunSettings settings) throws IOException {
        List<String> keys = new ArrayList<>();
        store.list(settings.inputPrefix()).forEach(o -> keys.add(o.key()));
        keys.sort(Comparator.comparing((String k) -> k.substring(0, k.lastIndexOf('/')))
                .thenComparing(Comparator.<String>reverseOrder()));
        ObjectProcessor processor = new ObjectProcessor(store, settings, Buckets.FIXED_CLOCK);
        List<RunReport> reports = new ArrayList<>();
        for (String key : keys) {
            reports.add(processor.process(key));
        }
        return reports;
    }

    /**
     * The generator writes whole minutes, so every duration would be a whole number of minutes and no
     * rounding could show; the shop's feed has microseconds. Each event gets seconds and microseconds drawn
     * from its id, so a duplicate delivery stays a copy of the line.
     */
    private static void withMicroseconds(Path file) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            Matcher m = WHOLE_MINUTE.matcher(line);
            if (m.find()) {
                long micros = new SplittableRandom(Long.parseLong(m.group(2))).nextLong(60_000_000L);
                line = m.group(1) + String.format("%02d.%06d\"", micros / 1_000_000, micros % 1_000_000)
                        + line.substring(m.end());
            }
            out.append(line).append('\n');
        }
        Files.writeString(file, out);
    }

    /** The portable files (10 and up), in order; 00-09 are Athena DDL. */
    static List<Path> viewFiles() throws IOException {
        try (Stream<Path> files = Files.list(SQL_DIR)) {
            List<Path> views = files.filter(p -> p.getFileName().toString().matches("[1-9]\\d_.*\\.sql"))
                    .sorted().toList();
            assertEquals(List.of("10_sessions.sql", "11_session_events.sql", "20_metrics_orders.sql",
                    "21_session_duration_by_referrer_host.sql"),
                    views.stream().map(p -> p.getFileName().toString()).toList());
            return views;
        }
    }

    /** The one row of metrics_orders, as some engine returned it, equals the metrics object to the last bit. */
    static void assertMetricsViewEqualsTheObject(List<Map<String, Object>> rows, JsonNode metrics) {
        assertEquals(1, rows.size());
        Map<String, Object> view = rows.get(0);
        JsonNode counts = metrics.get("counts");
        assertEquals(metrics.get("customers").asLong(), view.get("customers"));
        assertEquals(metrics.get("sessions").asLong(), view.get("sessions"));
        assertEquals(metrics.get("purchasing_customers").asLong(),
                view.get("purchasing_customers"));
        assertEquals(counts.get("customers_with_order").asLong(),
                view.get("customers_with_order"));
        assertEquals(counts.get("sessions_before_order").asLong(),
                view.get("sessions_before_order"));
        for (String median : List.of("median_visits_before_order", "median_session_duration_minutes_before_order",
                "median_total_minutes_before_order")) {
            assertEquals(bits(metrics.get(median)), bits(view.get(median)),
                    median + ": " + metrics.get(median) + " in the metrics object, " + view.get(median) + " in the view");
        }
    }

    /** The rows of session_duration_by_referrer_host equal the metrics object's hosts, Doubles by their bits. */
    static void assertReferrerViewEqualsTheObject(List<Map<String, Object>> rows, JsonNode metrics) {
        List<HostFigures> expected = new ArrayList<>();
        for (JsonNode h : metrics.get("session_duration_by_referrer_host")) {
            expected.add(new HostFigures(h.get("referrer_host").isNull() ? null : h.get("referrer_host").asText(),
                    h.get("sessions").asLong(), number(h.get("median_minutes")), number(h.get("p90_minutes"))));
        }
        List<HostFigures> actual = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            actual.add(new HostFigures((String) r.get("referrer_host"), (Long) r.get("sessions"),
                    (Double) r.get("median_minutes"), (Double) r.get("p90_minutes")));
        }
        expected.sort(HostFigures.BY_HOST);
        actual.sort(HostFigures.BY_HOST);
        assertTrue(expected.stream().anyMatch(h -> h.host() == null),
                "sessions without a referrer are listed");
        assertEquals(expected, actual); // records compare Double components by bits
    }

    static Double number(JsonNode n) {
        return n == null || n.isNull() ? null : n.asDouble();
    }

    /** The exact bits of a double (or of a JSON number), null for null: equal bits, equal numbers. */
    static Long bits(Object value) {
        if (value instanceof JsonNode n) {
            return n.isNull() ? null : Double.doubleToLongBits(n.asDouble());
        }
        return value == null ? null : Double.doubleToLongBits((Double) value);
    }

    /** One element of session_duration_by_referrer_host. */
    record HostFigures(String host, long sessions, Double medianMinutes, Double p90Minutes) {
        static final Comparator<HostFigures> BY_HOST = Comparator.comparing(HostFigures::host,
                Comparator.nullsFirst(Comparator.naturalOrder()));
    }
}
