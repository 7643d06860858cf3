package io.sessionlake.athena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The translation of infra/athena's table files to Trino, as TrinoViewsIT runs it (without a server). */
class TrinoTableDdlTest {
    @Test
    void cleanEventsBecomeATrinoTableWithDtAsItsLastColumnAndPartition() throws Exception {
        String trino = TrinoTableDdl.fromAthena(Files.readString(ViewFeeds.SQL_DIR.resolve("02_clean_events.sql")),
                "local:///buckets/b/");
        assertEquals("""
                CREATE TABLE IF NOT EXISTS clean_events (
                  event_id bigint,
                  event_type varchar,
                  customer_id bigint,
                  event_time timestamp,
                  user_agent varchar,
                  ip varchar,
                  page varchar,
                  referrer varchar,
                  query varchar,
                  product varchar,
                  position integer,
                  attributes varchar,
                  dt varchar
                )
                COMMENT 'sessionlake accepted events (SPEC 2, 6), typed, each once; dt is the UTC date of event_time'
                WITH (
                  format = 'PARQUET',
                  external_location = 'local:///buckets/b/clean_events/',
                  partitioned_by = ARRAY['dt']
                )""", trino);
    }

    @Test
    void sessionRevisionsTranslateEveryColumn() throws Exception {
        String trino = TrinoTableDdl.fromAthena(
                Files.readString(ViewFeeds.SQL_DIR.resolve("01_session_revisions.sql")), "s3://bucket/");
        assertTrue(trino.startsWith("CREATE TABLE IF NOT EXISTS session_revisions (\n  session_id varchar,\n"), trino);
        assertTrue(trino.contains("  is_deleted boolean,\n  dt varchar\n)"), trino);
        assertTrue(trino.contains("external_location = 's3://bucket/sessions/'"), trino);
        assertEquals(21, trino.lines().filter(l -> l.matches("  \\w+ (varchar|bigint|integer|double|boolean|timestamp),?"))
                .count(), trino);
    }

    @Test
    void aTablePropertyOtherThanPartitionProjectionIsNotDroppedSilently() throws Exception {
        String athena = Files.readString(ViewFeeds.SQL_DIR.resolve("02_clean_events.sql"))
                .replace("  'projection.enabled' = 'true',", "  'parquet.compression' = 'ZSTD',");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrinoTableDdl.fromAthena(athena, "local:///b/"));
        assertTrue(e.getMessage().contains("parquet.compression"), e.getMessage());
    }

    @Test
    void aColumnTypeWithoutATranslationFails() throws Exception {
        String athena = Files.readString(ViewFeeds.SQL_DIR.resolve("02_clean_events.sql"))
                .replace("position int,", "position decimal,");
        assertThrows(IllegalArgumentException.class, () -> TrinoTableDdl.fromAthena(athena, "local:///b/"));
    }
}
