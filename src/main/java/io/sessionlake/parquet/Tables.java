package io.sessionlake.parquet;

import io.sessionlake.feed.Event;
import io.sessionlake.session.Session;
import io.sessionlake.session.SessionRevision;
import java.util.Set;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * The two Parquet layouts analysts query (SPEC 6). Column names and types here are the contract with the
 * Athena DDL in infra/athena; timestamps are INT64 microseconds adjusted to UTC.
 */
public final class Tables {
    private static final String SESSION_SCHEMA = """
            message session_revision {
              required binary session_id (STRING);
              required int64 customer_id;
              required int64 session_start (TIMESTAMP(MICROS,true));
              required int64 session_end (TIMESTAMP(MICROS,true));
              required double duration_seconds;
              required int32 event_count;
              required int32 page_view_count;
              required int32 search_count;
              required int32 add_to_cart_count;
              required int32 remove_from_cart_count;
              required int32 order_count;
              required boolean has_order;
              optional binary landing_page (STRING);
              optional binary referrer (STRING);
              optional binary referrer_host (STRING);
              optional binary user_agent (STRING);
              optional binary ip (STRING);
              required int32 session_number;
              required int64 revision;
              required boolean is_deleted;
            }
            """;

    private static final String EVENT_SCHEMA = """
            message clean_event {
              required int64 event_id;
              required binary event_type (STRING);
              required int64 customer_id;
              required int64 event_time (TIMESTAMP(MICROS,true));
              optional binary user_agent (STRING);
              optional binary ip (STRING);
              optional binary page (STRING);
              optional binary referrer (STRING);
              optional binary query (STRING);
              optional binary product (STRING);
              optional int32 position;
              optional binary attributes (STRING);
            }
            """;

    private Tables() {
    }

    public static ParquetTable<SessionRevision> sessionRevisions(CompressionCodecName codec) {
        return new ParquetTable<>(SESSION_SCHEMA, Tables::writeRevision, codec,
                Set.of("session_id", "ip"),
                Set.of("session_id", "customer_id"));
    }

    public static ParquetTable<Event> cleanEvents(CompressionCodecName codec) {
        return new ParquetTable<>(EVENT_SCHEMA, Tables::writeEvent, codec,
                Set.of("event_id", "ip", "query", "attributes"),
                Set.of());
    }

    private static void writeRevision(Columns out, SessionRevision r) {
        Session s = r.session();
        out.string(0, s.sessionId());
        out.int64(1, s.customerId());
        out.int64(2, s.startMicros());
        out.int64(3, s.endMicros());
        out.float64(4, s.durationSeconds());
        out.int32(5, s.eventCount());
        out.int32(6, s.pageViewCount());
        out.int32(7, s.searchCount());
        out.int32(8, s.addToCartCount());
        out.int32(9, s.removeFromCartCount());
        out.int32(10, s.orderCount());
        out.bool(11, s.hasOrder());
        out.string(12, s.landingPage());
        out.string(13, s.referrer());
        out.string(14, s.referrerHost());
        out.string(15, s.userAgent());
        out.string(16, s.ip());
        out.int32(17, s.sessionNumber());
        out.int64(18, r.revision());
        out.bool(19, r.deleted());
    }

    private static void writeEvent(Columns out, Event e) {
        out.int64(0, e.id());
        out.string(1, e.type());
        out.int64(2, e.customerId());
        out.int64(3, e.timeMicros());
        out.string(4, e.userAgent());
        out.string(5, e.ip());
        out.string(6, e.page());
        out.string(7, e.referrer());
        out.string(8, e.query());
        out.string(9, e.product());
        out.int32(10, e.position());
        out.string(11, e.attributes());
    }
}
