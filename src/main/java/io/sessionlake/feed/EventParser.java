package io.sessionlake.feed;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Turns one line of the feed into a {@link ParsedLine} (SPEC 1-2). Never throws for bad input:
 * a malformed line is a value with a reason code. Streaming Jackson, one pass, no tree.
 */
public final class EventParser {
    private static final JsonFactory GENERATORS = new JsonFactory();
    private final JsonFactory json;
    private final StringPool pool = new StringPool(1 << 14);

    public EventParser() {
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Integer.MAX_VALUE).maxNumberLength(1000).build())
                .build();
    }

    public ParsedLine parse(byte[] buf, int off, int len) {
        try (JsonParser p = json.createParser(buf, off, len)) {
            return parseObject(p);
        } catch (IOException e) {
            return ParsedLine.rejected(RejectReason.INVALID_JSON, shortMessage(e));
        }
    }

    private ParsedLine parseObject(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return ParsedLine.rejected(RejectReason.INVALID_JSON, "line is not a JSON object");
        }
        Fields f = new Fields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "id" -> f.readId(p, value);
                case "type" -> f.type = value == JsonToken.VALUE_STRING ? p.getText() : null;
                case "event" -> {
                    if (value == JsonToken.START_OBJECT) {
                        readEventBody(p, f);
                    } else {
                        f.attribute(p, name);
                    }
                }
                default -> f.attribute(p, name);
            }
        }
        if (p.nextToken() != null) {
            return ParsedLine.rejected(RejectReason.INVALID_JSON, "text after the JSON object");
        }
        return f.toParsedLine(pool);
    }

    private static void readEventBody(JsonParser p, Fields f) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "customer-id", "customer_id" -> f.readCustomer(p, value);
                case "timestamp" -> {
                    f.timestampPresent = value != JsonToken.VALUE_NULL;
                    f.timestamp = value == JsonToken.VALUE_STRING ? p.getText() : null;
                }
                case "user-agent", "user_agent" -> f.userAgent = f.scalarOrAttribute(p, name);
                case "ip" -> f.ip = f.scalarOrAttribute(p, name);
                case "page" -> f.page = f.scalarOrAttribute(p, name);
                case "referrer" -> f.referrer = f.scalarOrAttribute(p, name);
                case "query" -> f.query = f.scalarOrAttribute(p, name);
                case "product" -> f.product = f.scalarOrAttribute(p, name);
                case "position" -> {
                    if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                        f.position = p.getIntValue();
                    } else if (value != JsonToken.VALUE_NULL) {
                        f.attribute(p, name);
                    }
                }
                default -> f.attribute(p, name);
            }
        }
    }

    private static String shortMessage(IOException e) {
        String m = e instanceof com.fasterxml.jackson.core.JacksonException je && je.getOriginalMessage() != null
                ? je.getOriginalMessage() : String.valueOf(e.getMessage());
        int cut = m.indexOf('\n');
        return cut > 0 ? m.substring(0, cut) : m;
    }

    /** Field values collected in one pass; validated in a fixed order afterwards. */
    private static final class Fields {
        boolean idPresent;
        boolean idValid;
        long id;
        String type;
        boolean customerPresent;
        boolean customerValid;
        Long customerId;
        boolean timestampPresent;
        String timestamp;
        String userAgent;
        String ip;
        String page;
        String referrer;
        String query;
        String product;
        Integer position;
        StringWriter attributesText;
        JsonGenerator attributes;

        void readId(JsonParser p, JsonToken value) throws IOException {
            idPresent = value != JsonToken.VALUE_NULL;
            Long v = integerValue(p, value);
            idValid = v != null;
            id = v == null ? 0 : v;
        }

        void readCustomer(JsonParser p, JsonToken value) throws IOException {
            customerPresent = value != JsonToken.VALUE_NULL;
            customerId = integerValue(p, value);
            customerValid = customerId != null;
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
            long micros = timestamp == null ? Long.MIN_VALUE : Timestamps.parseMicros(timestamp);
            if (micros == Long.MIN_VALUE) {
                return ParsedLine.rejected(RejectReason.BAD_TIMESTAMP, "not an ISO-8601 timestamp: " + clip(timestamp));
            }
            if (customerPresent && !customerValid) {
                return ParsedLine.rejected(RejectReason.BAD_CUSTOMER_ID, "customer-id is not an integer");
            }
            if (!customerPresent) {
                return ParsedLine.anonymousLine();
            }
            return ParsedLine.accepted(new Event(id, pool.intern(type.toLowerCase(Locale.ROOT)), customerId, micros,
                    pool.intern(userAgent), ip, pool.intern(page), pool.intern(referrer), query, pool.intern(product),
                    position, attributesJson()));
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
                String s = p.getText().trim();
                if (s.isEmpty() || s.length() > 19) {
                    return null;
                }
                try {
                    return Long.parseLong(s);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                p.skipChildren();
            }
            return null;
        }

        private static String clip(String s) {
            return s == null ? "null" : s.length() > 60 ? s.substring(0, 60) + "..." : s;
        }
    }
}
