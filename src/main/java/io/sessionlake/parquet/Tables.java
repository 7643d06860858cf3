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
                Set.of("session_id", "session_start", "session_end", "duration_seconds"),
                Set.of("user_agent", "landing_page", "referrer"));
    }

    public static ParquetTable<Event> cleanEvents(CompressionCodecName codec) {
        BinaryCache repeated = new BinaryCache(1 << 12);
        return new ParquetTable<>(EVENT_SCHEMA, (out, e) -> writeEvent(out, e, repeated), codec,
                Set.of("event_id", "event_time", "ip", "attributes"),
                Set.of("user_agent", "attributes", "page", "referrer", "query"));
    }

    private static void writeRevision(org.apache.parquet.io.api.RecordConsumer out, SessionRevision r) {
        Session s = r.session();
        Fields.string(out, 0, "session_id", s.sessionId());
        Fields.int64(out, 1, "customer_id", s.customerId());
        Fields.int64(out, 2, "session_start", s.startMicros());
        Fields.int64(out, 3, "session_end", s.endMicros());
        Fields.float64(out, 4, "duration_seconds", s.durationSeconds());
        Fields.int32(out, 5, "event_count", s.eventCount());
        Fields.int32(out, 6, "page_view_count", s.pageViewCount());
        Fields.int32(out, 7, "search_count", s.searchCount());
        Fields.int32(out, 8, "add_to_cart_count", s.addToCartCount());
        Fields.int32(out, 9, "remove_from_cart_count", s.removeFromCartCount());
        Fields.int32(out, 10, "order_count", s.orderCount());
        Fields.bool(out, 11, "has_order", s.hasOrder());
        Fields.string(out, 12, "landing_page", s.landingPage());
        Fields.string(out, 13, "referrer", s.referrer());
        Fields.string(out, 14, "referrer_host", s.referrerHost());
        Fields.string(out, 15, "user_agent", s.userAgent());
        Fields.string(out, 16, "ip", s.ip());
        Fields.int32(out, 17, "session_number", s.sessionNumber());
        Fields.int64(out, 18, "revision", r.revision());
        Fields.bool(out, 19, "is_deleted", r.deleted());
    }

    private static void writeEvent(org.apache.parquet.io.api.RecordConsumer out, Event e, BinaryCache repeated) {
        Fields.int64(out, 0, "event_id", e.id());
        Fields.binary(out, 1, "event_type", repeated.of(e.type()));
        Fields.int64(out, 2, "customer_id", e.customerId());
        Fields.int64(out, 3, "event_time", e.timeMicros());
        Fields.binary(out, 4, "user_agent", repeated.of(e.userAgent()));
        Fields.string(out, 5, "ip", e.ip());
        Fields.binary(out, 6, "page", repeated.of(e.page()));
        Fields.binary(out, 7, "referrer", repeated.of(e.referrer()));
        Fields.string(out, 8, "query", e.query());
        Fields.binary(out, 9, "product", repeated.of(e.product()));
        Fields.optionalInt32(out, 10, "position", e.position());
        Fields.string(out, 11, "attributes", e.attributes());
    }
}
