package io.sessionlake.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** DuckDB in-process: the independent reader that checks what sessionlake wrote. */
public final class DuckDb implements AutoCloseable {
    private final Connection connection;

    public DuckDb() throws SQLException {
        connection = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement st = connection.createStatement()) {
            st.execute("SET TimeZone='UTC'");
        }
    }

    public List<Map<String, Object>> query(String sql) throws SQLException {
        return rows(connection, sql);
    }

    /** The rows of a query on any JDBC connection, each column by its label, values as the driver returns them. */
    public static List<Map<String, Object>> rows(Connection connection, String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    public void execute(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    /** The current sessions by the SPEC 6 rule: per id the highest revision, unless it is a tombstone. */
    public static String currentSessionsSql(Path bucket) {
        return "SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY session_id ORDER BY revision DESC) rn"
                + " FROM read_parquet('" + bucket + "/sessions/*/*.parquet', hive_partitioning=true))"
                + " WHERE rn = 1 AND NOT is_deleted";
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
