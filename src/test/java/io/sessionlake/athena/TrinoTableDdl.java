package io.sessionlake.athena;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates a CREATE EXTERNAL TABLE file of infra/athena (Athena's Hive DDL) into Trino's CREATE TABLE for the Hive
 * connector, clause by clause, as infra/athena/README.md lists the translations. A clause it does not know fails the
 * translation, so that a change to the Athena file cannot be dropped silently.
 */
final class TrinoTableDdl {
    private static final Pattern TABLE = Pattern.compile("(?s)CREATE EXTERNAL TABLE IF NOT EXISTS \\$\\{DATABASE}\\.(\\w+) \\(\n"
            + "(.*?)\n\\)\n"
            + "COMMENT '([^']*)'\n"
            + "PARTITIONED BY \\((\\w+) (\\w+)\\)\n"
            + "STORED AS PARQUET\n"
            + "LOCATION 's3://\\$\\{BUCKET}/([\\w/]+/)'\n"
            + "TBLPROPERTIES \\(\n(.*?)\n\\)\n?");
    private static final Pattern COLUMN = Pattern.compile("\\s*(\\w+) (\\w+),?");
    private static final Pattern PROPERTY = Pattern.compile("\\s*'([\\w.]+)' = '[^']*',?");
    private static final Map<String, String> TYPES = Map.of(
            "string", "varchar", "int", "integer", "bigint", "bigint", "double", "double", "boolean", "boolean",
            "timestamp", "timestamp");

    private TrinoTableDdl() {
    }

    /**
     * The Trino statement for an Athena table file; {@code bucketLocation} (ending in /) takes the place of
     * s3://${BUCKET}/, in the schema of the session.
     */
    static String fromAthena(String athenaDdl, String bucketLocation) {
        Matcher m = TABLE.matcher(athenaDdl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not the CREATE EXTERNAL TABLE shape this translation knows:\n" + athenaDdl);
        }
        List<String> columns = new ArrayList<>();
        for (String line : m.group(2).split("\n")) {
            Matcher c = COLUMN.matcher(line);
            if (!c.matches()) {
                throw new IllegalArgumentException("not a column: " + line);
            }
            columns.add("  " + c.group(1) + " " + trinoType(c.group(2)));
        }
        // a Trino partition column is a column of the table, listed last, and named in partitioned_by
        columns.add("  " + m.group(4) + " " + trinoType(m.group(5)));
        for (String line : m.group(7).split("\n")) {
            Matcher p = PROPERTY.matcher(line);
            // partition projection: the test registers the partitions instead
            if (!p.matches() || !(p.group(1).startsWith("projection.") || p.group(1).equals("storage.location.template"))) {
                throw new IllegalArgumentException("a table property this translation does not know: " + line);
            }
        }
        return "CREATE TABLE IF NOT EXISTS " + m.group(1) + " (\n" + String.join(",\n", columns) + "\n)\n"
                + "COMMENT '" + m.group(3) + "'\n"
                + "WITH (\n"
                + "  format = 'PARQUET',\n"
                + "  external_location = '" + bucketLocation + m.group(6) + "',\n"
                + "  partitioned_by = ARRAY['" + m.group(4) + "']\n"
                + ")";
    }

    private static String trinoType(String hiveType) {
        String type = TYPES.get(hiveType);
        if (type == null) {
            throw new IllegalArgumentException("no Trino type for Hive type " + hiveType);
        }
        return type;
    }
}
