package io.sessionlake.feed;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The fields of one line, collected in one pass by either parser and validated in a fixed order
 * afterwards, so both parsers give the same verdict for the same line.
 */
final class LineFields {
    private static final JsonFactory GENERATORS = new JsonFactory();

    boolean idPresent;
    boolean idValid;
    long id;
    String type;
    boolean customerPresent;
    boolean customerValid;
    long customerId;
    boolean timestampPresent;
    String timestamp;
    /** Set by the line scanner, which parses the time from the bytes and makes a String only to quote a bad one. */
    boolean timestampParsed;
    long timestampMicros;
    /** Set by the line scanner, whose strings come out of the pools already (and the type lower-cased). */
    boolean pooled;
    String userAgent;
    String ip;
    String page;
    String referrer;
    String query;
    String product;
    Integer position;
    StringWriter attributesText;
    JsonGenerator attributes;

    /** Forgets the previous line, so that one instance can serve every line of an object. */
    void reset() {
        idPresent = false;
        idValid = false;
        id = 0;
        type = null;
        customerPresent = false;
        customerValid = false;
        customerId = 0;
        timestampPresent = false;
        timestamp = null;
        timestampParsed = false;
        timestampMicros = 0;
        pooled = false;
        userAgent = null;
        ip = null;
        page = null;
        referrer = null;
        query = null;
        product = null;
        position = null;
        attributesText = null;
        attributes = null;
    }

    void readId(JsonParser p, JsonToken value) throws IOException {
        idPresent = value != JsonToken.VALUE_NULL;
        Long v = integerValue(p, value);
        idValid = v != null;
        id = v == null ? 0 : v;
    }

    void readCustomer(JsonParser p, JsonToken value) throws IOException {
        customerPresent = value != JsonToken.VALUE_NULL;
        Long v = integerValue(p, value);
        customerValid = v != null;
        customerId = v == null ? 0 : v;
    }

    String scalarOrAttribute(JsonParser p, String name) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t.isScalarValue()) {
            return p.getText();
        }
        attribute(p, name);
        return null;
    }

    void attribute(JsonParser p, String name) throws IOException {
        if (attributes == null) {
            attributesText = new StringWriter();
            attributes = GENERATORS.createGenerator(attributesText);
            attributes.writeStartObject();
        }
        attributes.writeFieldName(name);
        attributes.copyCurrentStructure(p);
    }

    ParsedLine toParsedLine(StringPool pool) {
        if (!idPresent || !idValid) {
            return ParsedLine.rejected(RejectReason.BAD_ID, idPresent ? "id is not an integer" : "no id");
        }
        if (type == null || type.isBlank()) {
            return ParsedLine.rejected(RejectReason.MISSING_TYPE, "no event type");
        }
        if (!timestampPresent) {
            return ParsedLine.rejected(RejectReason.MISSING_TIMESTAMP, "no event.timestamp");
        }
        long micros = timestampParsed ? timestampMicros
                : timestamp == null ? Long.MIN_VALUE : Timestamps.parseMicros(timestamp);
        if (micros == Long.MIN_VALUE) {
            return ParsedLine.rejected(RejectReason.BAD_TIMESTAMP, "not an ISO-8601 timestamp: " + clip(timestamp));
        }
        if (customerPresent && !customerValid) {
            return ParsedLine.rejected(RejectReason.BAD_CUSTOMER_ID, "customer-id is not an integer");
        }
        if (!customerPresent) {
            return ParsedLine.anonymousLine();
        }
        if (pooled) {
            return ParsedLine.accepted(new Event(id, type, customerId, micros, userAgent, ip, page, referrer, query,
                    product, position, attributesJson()));
        }
        String lowerType = EventTypes.canonical(type.toLowerCase(Locale.ROOT));
        return ParsedLine.accepted(new Event(id, pool.intern(lowerType), customerId, micros, pool.intern(userAgent),
                ip, pool.intern(page), pool.intern(referrer), query, pool.intern(product), position, attributesJson()));
    }

    private String attributesJson() {
        if (attributes == null) {
            return null;
        }
        try {
            attributes.writeEndObject();
            attributes.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return attributesText.toString();
    }

    private static Long integerValue(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType nt = p.getNumberType();
            return nt == JsonParser.NumberType.BIG_INTEGER ? null : p.getLongValue();
        }
        if (value == JsonToken.VALUE_STRING) {
            return integerFromText(p.getText());
        }
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            p.skipChildren();
        }
        return null;
    }

    /** An id given as a string: a whole number, surrounding blanks allowed; otherwise null. */
    static Long integerFromText(String text) {
        String s = text.trim();
        if (s.isEmpty() || s.length() > 19) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String clip(String s) {
        return s == null ? "null" : s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
