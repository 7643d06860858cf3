package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.DuckDb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The golden example of ../shared/golden, processed file by file and read back with DuckDB. */
class GoldenFeedTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path bucket;
    static List<RunReport> reports;

    @BeforeAll
    static void processGolden() throws Exception {
        Buckets.copyGolden(bucket);
        reports = Buckets.processAll(new LocalFolderStore(bucket), RunSettings.defaults());
    }

    @Test
    void everyObjectSucceeds() {
        assertEquals(3, reports.size());
        reports.forEach(r -> assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), r.key() + ": " + r.error()));
    }

    @Test
    void lineCountsMatchTheExpectedSummary() throws Exception {
        JsonNode expected = JSON.readTree(Buckets.resource("/golden/expected-summary.json")).get("counts");
        long[] sums = new long[6];
        for (RunReport r : reports) {
            assertTrue(r.counts().addsUp(), "counts of " + r.key() + " add up to its lines");
            sums[0] += r.counts().lines();
            sums[1] += r.counts().accepted();
            sums[2] += r.counts().anonymous();
            sums[3] += r.counts().duplicate();
            sums[4] += r.counts().rejected();
            sums[5] += r.counts().late();
        }
        assertEquals(expected.get("lines").asLong(), sums[0]);
        assertEquals(expected.get("accepted").asLong(), sums[1]);
        assertEquals(expected.get("anonymous").asLong(), sums[2]);
        assertEquals(expected.get("duplicate").asLong(), sums[3]);
        assertEquals(expected.get("rejected").asLong(), sums[4]);
        assertEquals(0, sums[5]);
    }

    @Test
    void metricsObjectMatchesTheExpectedSummary() throws Exception {
        JsonNode expected = JSON.readTree(Buckets.resource("/golden/expected-summary.json")).get("metrics");
        JsonNode metrics = JSON.readTree(bucket.resolve(Layout.METRICS_KEY).toFile());
        expected.fieldNames().forEachRemaining(name ->
                assertEquals(expected.get(name).asDouble(), metrics.get(name).asDouble(), 0.0, name));
    }

    @Test
    void currentSessionsReadByDuckDbMatchTheExpectedSessions() throws Exception {
        List<String> expected = new ArrayList<>();
        for (String line : Buckets.resource("/golden/expected-sessions.jsonl").split("\n")) {
            if (!line.isBlank()) {
                JsonNode n = JSON.readTree(line);
                expected.add(String.join("|", n.get("customer_id").asText(), n.get("start").asText(),
                        n.get("end").asText(), String.valueOf(n.get("duration_seconds").asDouble()),
                        n.get("event_count").asText(), n.get("has_order").asText(), n.get("landing_page").asText(),
                        n.get("referrer").isNull() ? "null" : n.get("referrer").asText()));
            }
        }
        List<String> actual = new ArrayList<>();
        try (DuckDb db = new DuckDb()) {
            for (Map<String, Object> row : db.query("SELECT customer_id, strftime(session_start, '%Y-%m-%dT%H:%M:%S.%f') s,"
                    + " strftime(session_end, '%Y-%m-%dT%H:%M:%S.%f') e, duration_seconds, event_count, has_order,"
                    + " landing_page, referrer FROM (" + DuckDb.currentSessionsSql(bucket) + ") ORDER BY customer_id, s")) {
                actual.add(String.join("|", row.get("customer_id").toString(), row.get("s").toString(),
                        row.get("e").toString(), row.get("duration_seconds").toString(),
                        row.get("event_count").toString(), row.get("has_order").toString(),
                        String.valueOf(row.get("landing_page")), String.valueOf(row.get("referrer"))));
            }
        }
        assertEquals(expected, actual);
    }

    @Test
    void sessionsAreNumberedInEachCustomersHistory() throws Exception {
        try (DuckDb db = new DuckDb()) {
            List<Map<String, Object>> rows = db.query("SELECT customer_id, list(session_number ORDER BY session_start) n"
                    + " FROM (" + DuckDb.currentSessionsSql(bucket) + ") GROUP BY customer_id ORDER BY customer_id");
            Map<String, String> numbers = new TreeMap<>();
            rows.forEach(r -> numbers.put(r.get("customer_id").toString(), r.get("n").toString()));
            assertEquals("{101=[1], 102=[1, 2, 3, 4], 103=[1, 2, 3], 104=[1], 105=[1]}", numbers.toString());
        }
    }

    @Test
    void lateEventBetweenTwoSessionsRenumbersTheLaterOnes() throws Exception {
        // events-3 brings 102's 09:00 event between its 08:00 and 12:00 sessions: the 12:00 and 18:00 sessions
        // get a new revision with numbers 3 and 4
        try (DuckDb db = new DuckDb()) {
            List<Map<String, Object>> rows = db.query("SELECT revision, session_number FROM read_parquet('" + bucket
                    + "/sessions/*/*.parquet') WHERE customer_id = 102 AND strftime(session_start, '%H:%M') = '12:00'"
                    + " ORDER BY revision");
            assertEquals("[{revision=1, session_number=2}, {revision=3, session_number=3}]", rows.toString());
        }
    }

    @Test
    void rejectedLinesAreKeptVerbatimWithTheirReason() throws Exception {
        try (DuckDb db = new DuckDb()) {
            List<Map<String, Object>> rows = db.query("SELECT source_key, line_number, reason, raw FROM read_json('"
                    + bucket + "/rejected/*.jsonl', format='newline_delimited') ORDER BY source_key, line_number");
            assertEquals(3, rows.size());
            assertEquals("events/events-1.jsonl|11|invalid_json", key(rows.get(0)));
            assertEquals("events/events-1.jsonl|12|bad_timestamp", key(rows.get(1)));
            assertEquals("events/events-3.jsonl|5|invalid_json", key(rows.get(2)));
            assertEquals("not json", rows.get(2).get("raw"));
        }
    }

    private static String key(Map<String, Object> row) {
        return row.get("source_key") + "|" + row.get("line_number") + "|" + row.get("reason");
    }
}
