package io.sessionlake.athena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.run.Layout;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.testing.Buckets;
import io.sessionlake.testing.DuckDb;
import io.sessionlake.testing.TrinoServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The Athena SQL of infra/athena on a real Trino 476 server, the engine behind Athena engine v3, over the Parquet
 * the pipeline wrote: the tables of 01 and 02 translated to Trino's CREATE TABLE, the views of 10 and up verbatim.
 * The views must give metrics/orders.json to the last bit and DuckDB's current sessions, and a filter on any
 * column (pushed down to the Parquet reader, which trusts statistics and column indexes) the rows a scan counts.
 */
class TrinoViewsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SQL_DIR = ViewFeeds.SQL_DIR;
    private static TrinoServer trino;

    @BeforeAll
    static void startTrino() throws Exception {
        long start = System.nanoTime();
        trino = TrinoServer.start(Path.of(System.getProperty("trino.server.tarball", "")),
                Path.of(System.getProperty("trino.java", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")),
                Path.of("target"), Path.of("target", "trino-views"));
        System.out.printf("TrinoViewsIT: Trino server (pid %d) unpacked if needed and started in %.1f s%n",
                trino.pid(), (System.nanoTime() - start) / 1e9);
    }

    @AfterAll
    static void stopTrino() {
        if (trino != null) {
            trino.cpuTime().ifPresent(cpu -> System.out.printf("TrinoViewsIT: the Trino server used %.1f s of CPU%n",
                    cpu.toMillis() / 1e3));
            trino.close();
        }
    }

    @Nested
    class GoldenFeed extends ViewsOnTrino {
        @Override
        String schema() {
            return "golden";
        }

        @Override
        void fill(Path bucket) throws IOException {
            Buckets.copyGolden(bucket);
        }
    }

    /**
     * The generated feed of AthenaViewsTest (duplicates, late lines, revisions and tombstones) plus an object of
     * lines that no generated line has: a 10 KB user agent, text in several scripts, a field that goes to
     * attributes, events without user agent, ip, page or position, a session that has none of them.
     */
    @Nested
    class GeneratedFeed extends ViewsOnTrino {
        static final String LONG_AGENT = longAgent();
        static final String QUERY = "Lampe für die Küche – 台灯 🛋";

        @Override
        String schema() {
            return "generated";
        }

        @Override
        void fill(Path bucket) throws IOException {
            ViewFeeds.generated(bucket);
            String extra = String.join("\n",
                    "{\"id\": 900001, \"type\": \"page_view\", \"event\": {\"user-agent\": \"" + LONG_AGENT + "\","
                            + " \"customer-id\": 9001, \"timestamp\": \"2022-04-06T09:00:00.123456\","
                            + " \"page\": \"https://xcc-webshop.com/suche?q=Küche\","
                            + " \"referrer\": \"https://www.bücher.example/straße?q=ß\"}}",
                    "{\"id\": 900002, \"type\": \"search\", \"event\": {\"ip\": \"10.9.0.1\", \"customer-id\": 9001,"
                            + " \"timestamp\": \"2022-04-06T09:04:30.654321\", \"query\": \"" + QUERY + "\","
                            + " \"colour\": \"grün\"}}",
                    "{\"id\": 900003, \"type\": \"add_product_to_cart\", \"event\": {\"user-agent\": \"Mozilla/5.0\","
                            + " \"customer-id\": 9001, \"timestamp\": \"2022-04-06T09:06:00.000001\", \"product\": 77}}",
                    "{\"id\": 900004, \"type\": \"search\", \"event\": {\"customer-id\": 9002,"
                            + " \"timestamp\": \"2022-04-06T11:00:00.500000\", \"query\": \"ñandú\"}}",
                    "");
            Files.writeString(bucket.resolve("events/2022-04-06/part-900.jsonl"), extra);
        }

        @Override
        RunSettings settings() {
            return ViewFeeds.generatedSettings();
        }

        @Override
        List<RunReport> process(LocalFolderStore store) throws IOException {
            return ViewFeeds.processDaysInOrder(store, settings());
        }

        @Override
        boolean everyOptionalColumnHasNulls() {
            return true;
        }

        @Test
        void feedHoldsDuplicatesLateEventsTombstonesLongAndNonAsciiText() throws Exception {
            // without these the filters and views above would pass on easier data than the shop's
            assertTrue(reports.stream().mapToLong(r -> r.counts().duplicate()).sum() > 0, "duplicates");
            assertTrue(reports.stream().mapToLong(r -> r.counts().late()).sum() > 0, "late events");
            assertTrue(reports.stream().mapToInt(RunReport::sessionTombstones).sum() > 0, "tombstones");
            // count_if reads every row: what the feed holds, whatever the filters of the other tests find
            assertEquals(1L, scalar("SELECT count_if(event_id = 900001 AND user_agent = '" + LONG_AGENT + "')"
                    + " FROM clean_events"));
            assertEquals(1L, scalar("SELECT count_if(customer_id = 9001 AND user_agent = '" + LONG_AGENT + "'"
                    + " AND referrer_host = 'bücher.example') FROM sessions"));
            assertEquals(1L, scalar("SELECT count_if(event_id = 900002 AND query = '" + QUERY + "'"
                    + " AND attributes = '{\"colour\":\"grün\"}' AND user_agent IS NULL) FROM clean_events"));
            assertEquals(1L, scalar("SELECT count_if(customer_id = 9002 AND landing_page IS NULL AND referrer IS NULL"
                    + " AND user_agent IS NULL AND ip IS NULL) FROM sessions"));
        }

        private static String longAgent() {
            StringBuilder b = new StringBuilder("Mozilla/5.0");
            while (b.length() < 10 * 1024) {
                b.append(" (compatible; Prüf-Agent/").append(b.length()).append("; 検査)");
            }
            return b.toString();
        }
    }

    /** Processes a feed with the real pipeline, then creates the tables and views of infra/athena over it on Trino. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class ViewsOnTrino {
        Path bucket;
        List<RunReport> reports;
        JsonNode metrics;
        Connection trinoConnection;
        DuckDb duckDb;

        /** The Trino schema of this feed; its bucket is local:///buckets/SCHEMA/. */
        abstract String schema();

        abstract void fill(Path bucket) throws IOException;

        RunSettings settings() {
            return RunSettings.defaults();
        }

        List<RunReport> process(LocalFolderStore store) throws IOException {
            return Buckets.processAll(store, settings());
        }

        /** Whether the feed promises a null in every optional column (then IS NULL must find rows). */
        boolean everyOptionalColumnHasNulls() {
            return false;
        }

        @BeforeAll
        void processFeedAndCreateTablesAndViews() throws Exception {
            long processing = System.nanoTime();
            bucket = trino.root().resolve("buckets").resolve(schema());
            Files.createDirectories(bucket);
            fill(bucket);
            reports = process(new LocalFolderStore(bucket));
            reports.forEach(r -> assertEquals(RunReport.Outcome.SUCCEEDED, r.outcome(), r.key() + ": " + r.error()));
            metrics = JSON.readTree(bucket.resolve(Layout.METRICS_KEY).toFile());
            System.out.printf("TrinoViewsIT %s: feed written and processed in %.1f s%n", schema(),
                    (System.nanoTime() - processing) / 1e9);
            duckDb = new DuckDb();
            trinoConnection = trino.connect(schema());
            long start = System.nanoTime();
            execute("CREATE SCHEMA hive." + schema());
            String location = "local:///buckets/" + schema() + "/";
            execute(TrinoTableDdl.fromAthena(Files.readString(SQL_DIR.resolve("01_session_revisions.sql")), location));
            execute(TrinoTableDdl.fromAthena(Files.readString(SQL_DIR.resolve("02_clean_events.sql")), location));
            for (String table : List.of("session_revisions", "clean_events")) {
                execute("CALL system.sync_partition_metadata('" + schema() + "', '" + table + "', 'FULL')");
            }
            for (Path view : ViewFeeds.viewFiles()) {
                execute(Files.readString(view));
            }
            System.out.printf("TrinoViewsIT %s: tables, partitions and views created in %.1f s%n", schema(),
                    (System.nanoTime() - start) / 1e9);
        }

        @AfterAll
        void close() throws Exception {
            if (trinoConnection != null) {
                trinoConnection.close();
            }
            if (duckDb != null) {
                duckDb.close();
            }
        }

        void execute(String sql) throws SQLException {
            try {
                TrinoServer.execute(trinoConnection, sql);
            } catch (SQLException e) {
                throw new SQLException(e.getMessage() + "\nin:\n" + sql + "\nserver console:\n" + trino.logTail(), e);
            }
        }

        List<Map<String, Object>> query(String sql) throws SQLException {
            return TrinoServer.query(trinoConnection, sql);
        }

        Object scalar(String sql) throws SQLException {
            return query(sql).get(0).values().iterator().next();
        }

        @Test
        void partitionsOfEveryDayAreRegistered() throws Exception {
            for (String[] table : new String[][] {{"session_revisions", "sessions"}, {"clean_events", "clean_events"}}) {
                try (Stream<Path> days = Files.list(bucket.resolve(table[1]))) {
                    Set<String> written = days.map(p -> p.getFileName().toString().replace("dt=", ""))
                            .collect(Collectors.toSet());
                    Set<String> registered = query("SELECT dt FROM \"" + table[0] + "$partitions\"").stream()
                            .map(r -> (String) r.get("dt")).collect(Collectors.toSet());
                    assertTrue(written.size() > 0, table[1]);
                    assertEquals(written, registered, table[0]);
                }
            }
        }

        @Test
        void metricsViewEqualsTheMetricsObjectToTheLastBit() throws Exception {
            ViewFeeds.assertMetricsViewEqualsTheObject(query("SELECT * FROM metrics_orders"), metrics);
        }

        @Test
        void referrerViewEqualsTheMetricsObjectForEveryHostToTheLastBit() throws Exception {
            ViewFeeds.assertReferrerViewEqualsTheObject(query("SELECT * FROM session_duration_by_referrer_host"),
                    metrics);
        }

        /**
         * Row for row, every column, against the README's DuckDB query over the same files. Trino reads the
         * timestamps of a Hive table with millisecond precision, as Athena does: DuckDB's microseconds are rounded
         * to the nearest millisecond, half up, as Trino's Parquet reader rounds them.
         */
        @Test
        void sessionsViewEqualsDuckDbsReadingWithTheSameRule() throws Exception {
            Matcher readme = Pattern.compile("(?s)```sql\n(SELECT \\* FROM read_parquet\\('local-bucket/sessions/.*?QUALIFY .*?);\n```")
                    .matcher(Files.readString(Path.of("README.md")));
            assertTrue(readme.find(), "README.md shows the current sessions in DuckDB with QUALIFY");
            String duckDbSql = readme.group(1).replace("'local-bucket/", "'" + bucket + "/");
            List<Map<String, Object>> trinoRows = query("SELECT * FROM sessions");
            List<String> columns = new ArrayList<>(trinoRows.get(0).keySet());
            List<String> expected = duckDb.query(duckDbSql).stream()
                    .map(r -> canonical(r, columns)).sorted().toList();
            List<String> actual = trinoRows.stream().map(r -> canonical(r, columns)).sorted().toList();
            assertEquals(metrics.get("sessions").asLong(), actual.size());
            assertEquals(expected, actual);
        }

        /** One row as text: timestamps as epoch milliseconds, the rest as Java prints the value. */
        private static String canonical(Map<String, Object> row, List<String> columns) {
            StringBuilder b = new StringBuilder();
            for (String c : columns) {
                Object v = row.get(c);
                if (v instanceof java.time.OffsetDateTime t) {
                    long micros = t.toEpochSecond() * 1_000_000L + t.getNano() / 1000;
                    v = Math.floorDiv(micros + 500, 1000L);
                } else if (v instanceof java.sql.Timestamp t) {
                    // the trino driver builds timestamps without time zone in the JVM's zone
                    v = t.toLocalDateTime().toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
                }
                b.append(c).append('=').append(v).append('|');
            }
            return b.toString();
        }

        @Test
        void everyCleanEventBelongsToExactlyOneCurrentSession() throws Exception {
            long events = (Long) scalar("SELECT count(*) FROM clean_events");
            assertTrue(events > 0);
            assertEquals(events, scalar("SELECT count(*) FROM session_events"));
            assertEquals(events, scalar("SELECT count(DISTINCT event_id) FROM session_events"));
            assertEquals(0L, scalar("SELECT count(*) FROM session_events WHERE session_id IS NULL"));
        }

        @Test
        void oneSessionIsFoundByItsIdThroughTheView() throws Exception {
            String id = (String) scalar("SELECT max_by(session_id, xxhash64(to_utf8(session_id))) FROM sessions");
            assertEquals(1L, scalar("SELECT count(*) FROM sessions WHERE session_id = '" + id + "'"));
        }

        /**
         * For every column of both tables: equality on values taken from the data (the longest too, for text),
         * a range on numbers and times, IS NULL and IS NOT NULL on the columns the Parquet schema declares
         * optional. Each filter is pushed down to Trino's Parquet reader, which skips row groups and pages by their
         * statistics and column indexes; count_if over the same table reads every row without that, and must agree.
         */
        @TestFactory
        Stream<DynamicTest> filterOnEveryColumnCountsWhatAFullScanCounts() throws Exception {
            List<DynamicTest> tests = new ArrayList<>();
            for (String[] table : new String[][] {{"session_revisions", "sessions"}, {"clean_events", "clean_events"}}) {
                Set<String> optional = duckDb.query("SELECT DISTINCT name FROM parquet_schema('" + bucket + "/"
                        + table[1] + "/*/*.parquet') WHERE repetition_type = 'OPTIONAL'").stream()
                        .map(r -> (String) r.get("name")).collect(Collectors.toSet());
                Map<String, String> columns = new LinkedHashMap<>();
                for (Map<String, Object> column : query("SELECT column_name, data_type FROM information_schema.columns"
                        + " WHERE table_schema = '" + schema() + "' AND table_name = '" + table[0] + "'"
                        + " ORDER BY ordinal_position")) {
                    columns.put((String) column.get("column_name"), (String) column.get("data_type"));
                }
                assertTrue(columns.size() > 10, table[0] + " columns: " + columns);
                Map<String, Boolean> mustMatch = new LinkedHashMap<>();
                Map<String, String[]> picked = valuesOf(table[0], columns.keySet());
                columns.forEach((name, type) -> mustMatch.putAll(
                        predicates(table[0], name, type, optional.contains(name), picked.get(name))));
                for (String c : columns.keySet()) {
                    assertTrue(mustMatch.keySet().stream().anyMatch(f -> f.startsWith(c + " ")), "a filter on " + c);
                }
                // one scan without any predicate for the reader: what every filter must find
                List<String> filters = new ArrayList<>(mustMatch.keySet());
                List<Object> expected = new ArrayList<>(query(filters.stream().map(f -> "count_if(" + f + ")")
                        .collect(Collectors.joining(", ", "SELECT ", " FROM " + table[0]))).get(0).values());
                // every filter in one query, each on its own scan: one plan instead of dozens; null if one fails
                List<Object> filtered = countsWhere(table[0], filters);
                for (int i = 0; i < filters.size(); i++) {
                    String filter = filters.get(i);
                    long full = (Long) expected.get(i);
                    Object batched = filtered == null ? null : filtered.get(i);
                    boolean nonEmpty = mustMatch.get(filter);
                    tests.add(DynamicTest.dynamicTest(table[0] + " WHERE " + shortened(filter), () -> {
                        if (nonEmpty) {
                            assertTrue(full > 0, "the data has rows for " + shortened(filter));
                        }
                        long found = batched != null ? (Long) batched : countWhere(table[0], filter);
                        assertEquals(full, found, table[0] + " WHERE " + shortened(filter));
                    }));
                }
            }
            return tests.stream();
        }

        private List<Object> countsWhere(String table, List<String> filters) {
            String sql = filters.stream().map(f -> "(SELECT count(*) FROM " + table + " WHERE " + f + ")")
                    .collect(Collectors.joining(",\n", "SELECT\n", ""));
            try {
                return new ArrayList<>(query(sql).get(0).values());
            } catch (SQLException e) {
                // one of the filters fails: each dynamic test runs its own and names the one that does
                return null;
            }
        }

        private long countWhere(String table, String filter) {
            try {
                return (Long) scalar("SELECT count(*) FROM " + table + " WHERE " + filter);
            } catch (SQLException e) {
                throw new AssertionError(table + " WHERE " + shortened(filter) + " fails: " + e.getMessage(), e);
            }
        }

        /**
         * Per column, as text: two values picked by a hash of the value (a and b) and the longest value, null if the
         * column holds none. One query without a filter, so no statistics are involved.
         */
        private Map<String, String[]> valuesOf(String table, Set<String> columns) throws SQLException {
            List<String> select = new ArrayList<>();
            for (String c : columns) {
                String text = "CAST(" + c + " AS varchar)";
                select.add("CAST(min_by(" + c + ", xxhash64(to_utf8(" + text + "))) AS varchar)");
                select.add("CAST(max_by(" + c + ", xxhash64(to_utf8(" + text + "))) AS varchar)");
                // the longest value; among equally long ones, by hash, so that every run filters on the same
                select.add("CAST(max_by(" + c + ", lpad(CAST(length(" + text + ") AS varchar), 9, '0')"
                        + " || to_hex(xxhash64(to_utf8(" + text + ")))) AS varchar)");
            }
            List<Object> values = new ArrayList<>(query("SELECT " + String.join(",\n", select) + " FROM " + table)
                    .get(0).values());
            Map<String, String[]> picked = new LinkedHashMap<>();
            int i = 0;
            for (String c : columns) {
                picked.put(c, new String[] {(String) values.get(i), (String) values.get(i + 1), (String) values.get(i + 2)});
                i += 3;
            }
            return picked;
        }

        /** Filters on one column, each with whether the data must have matching rows. */
        private Map<String, Boolean> predicates(String table, String column, String type, boolean optional,
                String[] picked) {
            Map<String, Boolean> filters = new LinkedHashMap<>();
            String a = picked[0];
            String b = picked[1];
            String longest = picked[2];
            if (a == null) {
                assertTrue(!everyOptionalColumnHasNulls(), table + "." + column + " has no value in this feed");
            } else {
                filters.put(column + " = " + literal(type, a), true);
                if (type.equals("boolean")) {
                    filters.put(column + " = " + literal(type, b), true);
                } else if (type.equals("varchar")) {
                    filters.put(column + " = " + literal(type, longest), true);
                } else {
                    filters.put(column + " BETWEEN least(" + literal(type, a) + ", " + literal(type, b) + ")"
                            + " AND greatest(" + literal(type, a) + ", " + literal(type, b) + ")", true);
                }
            }
            if (optional) {
                filters.put(column + " IS NULL", everyOptionalColumnHasNulls());
                filters.put(column + " IS NOT NULL", a != null);
            }
            return filters;
        }

        private static String literal(String type, String value) {
            String quoted = "'" + value.replace("'", "''") + "'";
            return switch (type) {
                case "varchar", "boolean" -> type.equals("boolean") ? value : quoted;
                case "bigint", "integer" -> value;
                case "double" -> "DOUBLE " + quoted;
                default -> {
                    if (type.startsWith("timestamp")) {
                        yield "TIMESTAMP " + quoted;
                    }
                    throw new IllegalArgumentException("no literal for type " + type + " in this test");
                }
            };
        }

        private static String shortened(String filter) {
            return filter.length() <= 120 ? filter : filter.substring(0, 100) + "... (" + filter.length() + " chars)";
        }
    }
}
