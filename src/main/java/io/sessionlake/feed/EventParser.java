package io.sessionlake.feed;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;

/**
 * Turns one line of the feed into a {@link ParsedLine} (SPEC 1-2). Never throws for bad input:
 * a malformed line is a value with a reason code. Streaming Jackson, one pass, no tree.
 */
public final class EventParser {
    private final JsonFactory json;
    private final StringPool pool = new StringPool(1 << 15);
    private final SimpleLineScanner scanner = new SimpleLineScanner(pool);

    public EventParser() {
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Integer.MAX_VALUE).maxNumberLength(1000).build())
                .build();
    }

    public ParsedLine parse(byte[] buf, int off, int len) {
        ParsedLine simple = scanner.scan(buf, off, len);
        if (simple != null) {
            return simple;
        }
        return parseWithJackson(buf, off, len);
    }

    /** The general path: any valid JSON, exact error messages. Package-private for the equivalence test. */
    ParsedLine parseWithJackson(byte[] buf, int off, int len) {
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
        LineFields f = new LineFields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "id" -> f.readId(p, value);
                case "type" -> {
                    f.type = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                }
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

    private static void readEventBody(JsonParser p, LineFields f) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "customer-id", "customer_id" -> f.readCustomer(p, value);
                case "timestamp" -> {
                    f.timestampPresent = value != JsonToken.VALUE_NULL;
                    f.timestamp = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
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

}
