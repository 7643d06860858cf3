package io.sessionlake.athena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.sessionlake.athena.ViewFeeds.number;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.run.Layout;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.DuckDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Athena SQL of infra/athena, run verbatim on DuckDB over what the real pipeline wrote: the views must give
 * the numbers of metrics/orders.json to the last bit (SPEC 5) and apply the revision rule of SPEC 6.
 */
class AthenaViewsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SQL_DIR = ViewFeeds.SQL_DIR;

    @Nested
    class GoldenFeed extends ViewsOverAProcessedFeed {
        @Override
        void fill(Path bucket) throws IOException {
            Buckets.copyGolden(bucket);
        }

        @Override
        RunSettings settings() {
            return RunSettings.defaults();
        }

        @Test
        void sessionsViewHoldsTheTenExpectedSessions() throws Exception {
            List<String> expected = new ArrayList<>();
            for (String line : Buckets.resource("/golden/expected-sessions.jsonl").split("\n")) {
                if (!line.isBlank()) {
                    JsonNode n = JSON.readTree(line);
                    expected.add(String.join("|", n.get("customer_id").asText(), n.get("start").asText(),
                            n.get("end").asText(), n.get("event_count").asText(), n.get("has_order").asText()));
                }
            }
            List<String> actual = new ArrayList<>();
            for (Map<String, Object> row : db.query("SELECT customer_id,"
                    + " strftime(session_start, '%Y-%m-%dT%H:%M:%S.%f') s, strftime(session_end, '%Y-%m-%dT%H:%M:%S.%f') e,"
                    + " event_count, has_order FROM sessions ORDER BY customer_id, session_start")) {
                actual.add(String.join("|", row.get("customer_id").toString(), row.get("s").toString(),
                        row.get("e").toString(), row.get("event_count").toString(), row.get("has_order").toString()));
            }
            assertEquals(10, actual.size());
            assertEquals(expected, actual);
        }

        @Test
        void tableDdlDeclaresEveryParquetColumnWithItsType() throws Exception {
            assertEquals(parquetColumns("sessions"), ddlColumns("01_session_revisions.sql"));
            assertEquals(parquetColumns("clean_events"), ddlColumns("02_clean_events.sql"));
        }

        /** Name to Hive type of the Parquet files as DuckDB reads them, in file order. */
        private Map<String, String> parquetColumns(String prefix) throws Exception {
            Map<String, String> columns = new LinkedHashMap<>();
            for (Map<String, Object> row : db.query("DESCRIBE SELECT * FROM read_parquet('" + bucket + "/" + prefix
                    + "/*/*.parquet')")) {
                String type = switch (row.get("column_type").toString()) {
                    case "VARCHAR" -> "string";
                    case "BIGINT" -> "bigint";
                    case "INTEGER" -> "int";
                    case "DOUBLE" -> "double";
                    case "BOOLEAN" -> "boolean";
                    case "TIMESTAMP WITH TIME ZONE" -> "timestamp";
                    default -> "unmapped " + row.get("column_type");
                };
                columns.put(row.get("column_name").toString(), type);
            }
            columns.put("dt", "string");
            return columns;
        }

        /** Name to type of the columns and partition columns a CREATE EXTERNAL TABLE file declares, in order. */
        private Map<String, String> ddlColumns(String file) throws IOException {
            Map<String, String> columns = new LinkedHashMap<>();
            Matcher m = Pattern.compile("(?m)^\\s*(\\w+) (string|bigint|int|double|boolean|timestamp),?$")
                    .matcher(Files.readString(SQL_DIR.resolve(file)));
            while (m.find()) {
                columns.put(m.group(1), m.group(2));
            }
            Matcher partition = Pattern.compile("PARTITIONED BY \\((\\w+) (\\w+)\\)")
                    .matcher(Files.readString(SQL_DIR.resolve(file)));
            assertTrue(partition.find(), file + " is partitioned");
            columns.put(partition.group(1), partition.group(2));
            return columns;
        }
    }

    /**
     * A larger feed with duplicates, late and malformed lines, processed with a 2-day horizon so that most
     * sessions leave the state and the metrics come from the finalized summaries, not from open sessions.
     * Timestamps carry microseconds, as in the shop's feed. Each day's objects arrive newest first, so later runs move session starts and merge sessions: the
     * revisions and tombstones that the sessions view has to sort out.
     */
    @Nested
    class GeneratedFeed extends ViewsOverAProcessedFeed {
        @Override
        void fill(Path bucket) throws IOException {
            ViewFeeds.generated(bucket);
        }

        @Override
        RunSettings settings() {
            return ViewFeeds.generatedSettings();
        }

        @Override
        List<RunReport> process(LocalFolderStore store) throws IOException {
            return ViewFeeds.processDaysInOrder(store, settings());
        }

        @Test
        void feedExercisesRevisionsTombstonesAndBothMedianCases() throws Exception {
            // without these the exactness checks above would pass on easier data than the shop's
            assertTrue(reports.stream().mapToInt(RunReport::sessionTombstones).sum() > 0, "tombstones written");
            assertTrue(scalar("SELECT count(*) - count(DISTINCT session_id) FROM session_revisions") > 0,
                    "sessions with several revisions");
            assertTrue(scalar("SELECT count(*) FROM session_duration_by_referrer_host WHERE sessions % 2 = 0") > 0,
                    "a host with an even number of sessions");
            assertTrue(scalar("SELECT count(*) FROM session_duration_by_referrer_host WHERE sessions % 2 = 1") > 0,
                    "a host with an odd number of sessions");
            assertTrue(metrics.get("counts").get("sessions_before_order").asLong() > 100);
        }

        @Test
        void readmeQueriesRunOnTheViewsAndAnswer() throws Exception {
            Matcher block = Pattern.compile("(?s)```sql\n(.*?)```").matcher(Files.readString(SQL_DIR.resolve("README.md")));
            int queries = 0;
            while (block.find()) {
                queries++;
                assertFalse(db.query(block.group(1)).isEmpty(), block.group(1));
            }
            assertEquals(5, queries);
            // the distribution behind the median adds up to the purchasing customers
            Matcher distribution = Pattern.compile("(?s)```sql\n(WITH first_order.*?)```")
                    .matcher(Files.readString(SQL_DIR.resolve("README.md")));
            assertTrue(distribution.find());
            assertEquals(metrics.get("purchasing_customers").asLong(), db.query(distribution.group(1)).stream()
                    .mapToLong(r -> ((Number) r.get("customers")).longValue()).sum());
        }
    }

    /**
     * One customer whose two sessions before the order last 238780435 and 1667232793 microseconds: chosen so
     * that formulas close to the contract give other doubles ((a + b) / 2 against a + 0.5 * (b - a), a sum of
     * microseconds against a sum of seconds, v[lo] + w * (v[hi] - v[lo]) against (1 - w) * v[lo] + w * v[hi]).
     * The other two feeds miss some of these by chance; this one cannot.
     */
    @Nested
    class DurationsThatRoundDifferently extends ViewsOverAProcessedFeed {
        static final long FIRST_MICROS = 238_780_435L;
        static final long SECOND_MICROS = 1_667_232_793L;

        @Override
        void fill(Path bucket) throws IOException {
            String line = "{\"id\": %d, \"type\": \"%s\", \"event\": {\"customer-id\": 501, \"timestamp\": \"%s\"%s}}\n";
            String referred = ", \"page\": \"https://xcc-webshop.com/\", \"referrer\": \"https://www.rounding.example/a\"";
            String feed = String.format(line, 1, "page_view", "2022-04-01T08:00:00.000000", referred)
                    + String.format(line, 2, "search", "2022-04-01T08:03:58.780435", ", \"query\": \"lamp\"")
                    + String.format(line, 3, "page_view", "2022-04-01T10:00:00.000000", referred)
                    + String.format(line, 4, "search", "2022-04-01T10:27:47.232793", ", \"query\": \"lamp\"")
                    + String.format(line, 5, "page_view", "2022-04-01T12:00:00.000000", "")
                    + String.format(line, 6, "placed_order", "2022-04-01T12:05:00.000000", "");
            Files.createDirectories(bucket.resolve("events"));
            Files.writeString(bucket.resolve("events/rounding.jsonl"), feed);
        }

        @Override
        RunSettings settings() {
            return RunSettings.defaults();
        }

        @Test
        void theMetricsObjectPublishesTheExactFormulasRoundedOnceToHundredths() {
            double a = (FIRST_MICROS / 1e6) / 60.0;
            double b = (SECOND_MICROS / 1e6) / 60.0;
            double median = metrics.get("median_session_duration_minutes_before_order").asDouble();
            double total = metrics.get("median_total_minutes_before_order").asDouble();
            JsonNode host = metrics.get("session_duration_by_referrer_host").get(1);
            assertEquals("rounding.example", host.get("referrer_host").asText());
            assertEquals(Math.floor((a + b) / 2.0 * 100 + 0.5) / 100, median, 0.0);
            assertEquals(Math.floor(((FIRST_MICROS + SECOND_MICROS) / 1e6) / 60.0 * 100 + 0.5) / 100, total, 0.0);
            assertEquals(Math.floor((a + 0.9 * (b - a)) * 100 + 0.5) / 100, host.get("p90_minutes").asDouble(), 0.0);
            // what an analyst reads: no float noise such as 43.19999999999999
            for (double v : new double[] {median, total, host.get("p90_minutes").asDouble(),
                host.get("median_minutes").asDouble()}) {
                assertEquals(String.format(java.util.Locale.ROOT, "%.2f", v).replaceAll("0+$", "").replaceAll("\\.$", ""),
                        java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString(), "published as " + v);
            }
        }
    }

    /** Processes a feed with the real pipeline, then creates the views of infra/athena on DuckDB over its output. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class ViewsOverAProcessedFeed {
        Path bucket;
        List<RunReport> reports;
        JsonNode metrics;
        DuckDb db;

        abstract void fill(Path bucket) throws IOException;

        abstract RunSettings settings();

        List<RunReport> process(LocalFolderStore store) throws IOException {
            return Buckets.processAll(store, settings());
        }

        @BeforeAll
        void processFeedAndCreateViews() throws Exception {
            bucket = Files.createTempDirectory("athena-views");
            fill(bucket);
            reports = process(new LocalFolderStore(bucket));
            reports.forEach(r -> assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), r.key() + ": " + r.error()));
            metrics = JSON.readTree(bucket.resolve(Layout.METRICS_KEY).toFile());
            db = new DuckDb();
            // DuckDB stand-ins for the Athena-only DDL of 01 and 02: the same columns, dt a string as in Athena
            db.execute(tableOver("session_revisions", "sessions"));
            db.execute(tableOver("clean_events", "clean_events"));
            for (Path view : ViewFeeds.viewFiles()) {
                db.execute(Files.readString(view));
            }
        }

        @AfterAll
        void closeAndDelete() throws Exception {
            if (db != null) {
                db.close();
            }
            try (Stream<Path> paths = Files.walk(bucket)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }

        private String tableOver(String name, String prefix) {
            return "CREATE VIEW " + name + " AS SELECT * FROM read_parquet('" + bucket + "/" + prefix
                    + "/*/*.parquet', hive_partitioning = true, hive_types_autocast = false)";
        }

        long scalar(String sql) throws Exception {
            return ((Number) db.query(sql).get(0).values().iterator().next()).longValue();
        }

        @Test
        void metricsViewEqualsTheMetricsObjectToTheLastBit() throws Exception {
            ViewFeeds.assertMetricsViewEqualsTheObject(db.query("SELECT * FROM metrics_orders"), metrics);
        }

        @Test
        void referrerViewEqualsTheMetricsObjectForEveryHostToTheLastBit() throws Exception {
            ViewFeeds.assertReferrerViewEqualsTheObject(db.query("SELECT * FROM session_duration_by_referrer_host"),
                    metrics);
        }

        @Test
        void sessionsViewHoldsEachLiveSessionOnceAtItsNewestRevision() throws Exception {
            assertEquals(metrics.get("sessions").asLong(), scalar("SELECT count(*) FROM sessions"));
            assertEquals(0, scalar("SELECT count(*) - count(DISTINCT session_id) FROM sessions"));
            // the rule restated another way: newest revision per id, and only ids whose newest row is not a tombstone
            assertEquals(0, scalar("""
                    SELECT count(*) FROM (
                      SELECT session_id, revision FROM sessions
                      EXCEPT ALL
                      SELECT r.session_id, r.revision FROM session_revisions r
                      JOIN (SELECT session_id, max(revision) newest FROM session_revisions GROUP BY session_id) n
                        ON n.session_id = r.session_id AND n.newest = r.revision
                      WHERE NOT r.is_deleted
                      GROUP BY r.session_id, r.revision
                    )"""));
            assertEquals(scalar("SELECT count(DISTINCT session_id) FROM session_revisions")
                    - scalar("""
                            SELECT count(*) FROM session_revisions r
                            WHERE is_deleted AND revision = (
                              SELECT max(revision) FROM session_revisions o WHERE o.session_id = r.session_id)"""),
                    scalar("SELECT count(*) FROM sessions"));
        }

        @Test
        void sessionsAreNumberedOneToNInEachCustomersHistory() throws Exception {
            assertEquals(0, scalar("""
                    SELECT count(*) FROM (
                      SELECT session_number, row_number() OVER (PARTITION BY customer_id ORDER BY session_start) expected
                      FROM sessions
                    ) WHERE session_number <> expected"""));
        }

        @Test
        void everyCleanEventBelongsToExactlyOneCurrentSession() throws Exception {
            long events = scalar("SELECT count(*) FROM clean_events");
            assertTrue(events > 0);
            assertEquals(events, scalar("SELECT count(*) FROM session_events"));
            assertEquals(events, scalar("SELECT count(DISTINCT event_id) FROM session_events"));
            assertEquals(0, scalar("SELECT count(*) FROM session_events WHERE session_id IS NULL"));
        }

        @Test
        void eachSessionHoldsAsManyEventsAndOrdersAsItCounts() throws Exception {
            assertEquals(0, scalar("""
                    SELECT count(*) FROM sessions s
                    LEFT JOIN (
                      SELECT session_id, count(*) events,
                             sum(CASE WHEN event_type = 'placed_order' THEN 1 ELSE 0 END) orders,
                             min(event_time) first_event, max(event_time) last_event
                      FROM session_events GROUP BY session_id
                    ) e ON e.session_id = s.session_id
                    WHERE e.events IS DISTINCT FROM s.event_count OR e.orders IS DISTINCT FROM s.order_count
                       OR e.first_event IS DISTINCT FROM s.session_start OR e.last_event IS DISTINCT FROM s.session_end"""));
        }

        @Test
        void allRevisionsOfASessionShareOnePartition() throws Exception {
            // 10_sessions.sql partitions its window by (session_id, dt) so that dt filters prune: this must hold
            assertEquals(0, scalar("SELECT count(*) FROM (SELECT session_id FROM session_revisions GROUP BY session_id"
                    + " HAVING count(DISTINCT dt) > 1)"));
            assertFalse(db.query("SELECT dt FROM sessions LIMIT 1").isEmpty());
            assertEquals(0, scalar("SELECT count(*) FROM sessions WHERE dt <> strftime(session_start, '%Y-%m-%d')"));
        }
    }
}
