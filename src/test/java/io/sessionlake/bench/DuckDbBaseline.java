package io.sessionlake.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * The yardstick for the benchmark: DuckDB sessionizing the same JSON-lines object in SQL (read_json,
 * lag/sum window, COPY to Parquet) and writing its typed clean events as Parquet too, timed end to end.
 * Not a test; run it with the command in README.
 */
public final class DuckDbBaseline {
    private DuckDbBaseline() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: DuckDbBaseline <events.jsonl> [runs]");
            System.exit(2);
        }
        Path input = Path.of(args[0]).toAbsolutePath();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path out = Files.createTempDirectory("duckdb-baseline-");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("SET TimeZone='UTC'");
            for (int run = 1; run <= runs; run++) {
                Path target = out.resolve("sessions-" + run + ".parquet");
                long t0 = System.nanoTime();
                st.execute("""
                        COPY (
                          SELECT id AS event_id, lower(type) AS event_type,
                                 CAST(event."customer-id" AS BIGINT) AS customer_id,
                                 CAST(event.timestamp AS TIMESTAMP) AS event_time, event."user-agent" AS user_agent,
                                 event.ip AS ip, event.page AS page, event.referrer AS referrer, event.query AS query,
                                 CAST(event.product AS VARCHAR) AS product, CAST(event.position AS INTEGER) AS position
                          FROM read_json('%s', format = 'newline_delimited')
                          WHERE event."customer-id" IS NOT NULL
                        ) TO '%s' (FORMAT parquet)""".formatted(input, out.resolve("events-" + run + ".parquet")));
                st.execute("""
                        COPY (
                          WITH events AS (
                            SELECT id, lower(type) AS type, CAST(event."customer-id" AS BIGINT) AS customer_id,
                                   CAST(event.timestamp AS TIMESTAMP) AS ts, event.page AS page, event.referrer AS referrer
                            FROM read_json('%s', format = 'newline_delimited')
                            WHERE event."customer-id" IS NOT NULL),
                          gaps AS (
                            SELECT *, CASE WHEN ts - lag(ts) OVER w > INTERVAL 30 MINUTE THEN 1 ELSE 0 END AS starts
                            FROM events WINDOW w AS (PARTITION BY customer_id ORDER BY ts, id)),
                          numbered AS (
                            SELECT *, sum(starts) OVER (PARTITION BY customer_id ORDER BY ts, id
                                                        ROWS UNBOUNDED PRECEDING) AS session_index
                            FROM gaps)
                          SELECT customer_id, session_index, min(ts) AS session_start, max(ts) AS session_end,
                                 count(*) AS event_count, count(*) FILTER (type = 'placed_order') AS order_count,
                                 arg_min(page, ts) AS landing_page, arg_min(referrer, ts) AS referrer
                          FROM numbered GROUP BY customer_id, session_index
                        ) TO '%s' (FORMAT parquet)""".formatted(input, target));
                double seconds = (System.nanoTime() - t0) / 1e9;
                long lines;
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM read_json('" + input
                        + "', format = 'newline_delimited')")) {
                    rs.next();
                    lines = rs.getLong(1);
                }
                System.out.printf("duckdb run %d (sessions and clean events): %d lines in %.2f s = %.0f lines/s (threads: %d)%n", run, lines,
                        seconds, lines / seconds, Runtime.getRuntime().availableProcessors());
            }
        }
    }
}
