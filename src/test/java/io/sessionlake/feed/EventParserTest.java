package io.sessionlake.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** SPEC 1-2: how one line becomes an event or a reason. */
class EventParserTest {
    private final EventParser parser = new EventParser();

    private ParsedLine parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return parser.parse(b, 0, b.length);
    }

    private static String line(String customer, String timestamp, String extra) {
        return "{\"id\": 488775, \"type\": \"Page_View\", \"event\": {\"user-agent\": \"Opera/9.61\", \"ip\": \"62.222.197.54\","
                + " \"customer-id\": " + customer + ", \"timestamp\": " + timestamp + extra + "}}";
    }

    @Test
    void typeIsStoredLowerCase() {
        assertEquals("page_view", parse(line("3024", "\"2022-04-28T08:22:46.290271\"", "")).event().type());
    }

    @Test
    void aValueThatOnlyStartsLikeThePreviousLinesIsReadWhole() {
        String agent = "\"user-agent\": ";
        String[] agents = {"\"Opera/9.61\"", "\"Opera/9.61\"", "\"Opera/9.61 extra\"", "\"Opera/9.6\"",
            "\"Opera/9.61\\u0041\"", "\"Opera/9.61\"", "null", "\"Opera/9.61\""};
        String[] expected = {"Opera/9.61", "Opera/9.61", "Opera/9.61 extra", "Opera/9.6", "Opera/9.61A", "Opera/9.61",
            null, "Opera/9.61"};
        for (int i = 0; i < agents.length; i++) {
            String line = "{\"id\": " + i + ", \"type\": \"search\", \"event\": {" + agent + agents[i]
                    + ", \"ip\": \"10.0.0." + (i / 2) + "\", \"customer-id\": 5, \"timestamp\": \"2022-04-28T08:22:46\"}}";
            Event e = parse(line).event();
            assertEquals(expected[i], e.userAgent(), line);
            assertEquals("10.0.0." + (i / 2), e.ip(), line);
        }
    }

    @Test
    void knownTypesAreTheSharedConstantsOnBothPaths() {
        // the fast path, then the general one (an escape in a value sends the line there)
        assertSame(EventTypes.PAGE_VIEW, parse(line("3024", "\"2022-04-28T08:22:46\"", "")).event().type());
        Event general = parse(line("3024", "\"2022-04-28T08:22:46\"", ", \"page\": \"a\\u0062\"")).event();
        assertEquals("ab", general.page());
        assertSame(EventTypes.PAGE_VIEW, general.type());
        assertEquals("brand_new", parse(line("3024", "\"2022-04-28T08:22:46\"", "").replace("Page_View", "Brand_New"))
                .event().type());
    }

    @Test
    void timestampWithoutOffsetIsUtcAndKeepsMicroseconds() {
        Event e = parse(line("3024", "\"2022-04-28T08:22:46.290271\"", "")).event();
        assertEquals("2022-04-28T08:22:46.290271Z", Timestamps.format(e.timeMicros()));
    }

    @Test
    void timestampWithOffsetIsConvertedToUtc() {
        Event e = parse(line("3024", "\"2022-04-21T09:10:46.290271+02:00\"", "")).event();
        assertEquals("2022-04-21T07:10:46.290271Z", Timestamps.format(e.timeMicros()));
    }

    @Test
    void customerIdAsNumericStringIsAccepted() {
        assertEquals(105, parse(line("\"105\"", "\"2022-04-21T10:00:46\"", "")).event().customerId());
    }

    @Test
    void underscoreSpellingsAreAccepted() {
        ParsedLine p = parse("{\"id\": 1, \"type\": \"search\", \"event\": {\"customer_id\": 9, \"user_agent\": \"x\","
                + " \"timestamp\": \"2022-04-21T10:00:46Z\", \"query\": \"shears\"}}");
        assertEquals(9, p.event().customerId());
        assertEquals("x", p.event().userAgent());
        assertEquals("shears", p.event().query());
    }

    @Test
    void nullCustomerIsAnonymous() {
        assertTrue(parse(line("null", "\"2022-04-21T10:00:46\"", "")).anonymous());
    }

    @Test
    void nonNumericCustomerIsRejected() {
        assertEquals(RejectReason.BAD_CUSTOMER_ID, parse(line("\"abc\"", "\"2022-04-21T10:00:46\"", "")).rejection());
    }

    @Test
    void missingTimestampIsRejected() {
        assertEquals(RejectReason.MISSING_TIMESTAMP,
                parse("{\"id\": 1, \"type\": \"x\", \"event\": {\"customer-id\": 1}}").rejection());
    }

    @Test
    void unparseableTimestampIsRejected() {
        assertEquals(RejectReason.BAD_TIMESTAMP, parse(line("1", "\"not-a-time\"", "")).rejection());
        assertEquals(RejectReason.BAD_TIMESTAMP, parse(line("1", "\"2022-02-30T10:00:00\"", "")).rejection());
        assertEquals(RejectReason.BAD_TIMESTAMP, parse(line("1", "12345", "")).rejection());
    }

    @Test
    void nonIntegerIdIsRejected() {
        assertEquals(RejectReason.BAD_ID, parse("{\"id\": \"x\", \"type\": \"a\", \"event\": {}}").rejection());
        assertEquals(RejectReason.BAD_ID, parse("{\"type\": \"a\", \"event\": {}}").rejection());
    }

    @Test
    void truncatedLineIsInvalidJson() {
        assertEquals(RejectReason.INVALID_JSON,
                parse("{\"id\": 11, \"type\": \"page_view\", \"event\": {\"customer-id\": 104, \"timestamp\": \"2022-04-2").rejection());
    }

    @Test
    void jsonThatIsNotAnObjectIsInvalid() {
        assertEquals(RejectReason.INVALID_JSON, parse("[1, 2]").rejection());
        assertEquals(RejectReason.INVALID_JSON, parse("{\"id\": 1} trailing").rejection());
    }

    @Test
    void unknownFieldsAreKeptAsAttributes() {
        Event e = parse(line("1", "\"2022-04-21T10:00:46\"", ", \"page\": \"/p\", \"coupon\": {\"code\": \"X\"}, \"product\": 12, \"position\": 3")).event();
        assertEquals("/p", e.page());
        assertEquals("12", e.product());
        assertEquals(3, e.position());
        assertEquals("{\"coupon\":{\"code\":\"X\"}}", e.attributes());
    }

    @Test
    void eventWithoutExtraFieldsHasNoAttributes() {
        assertNull(parse(line("1", "\"2022-04-21T10:00:46\"", "")).event().attributes());
    }
}
