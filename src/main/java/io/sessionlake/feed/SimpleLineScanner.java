package io.sessionlake.feed;

import java.nio.charset.StandardCharsets;

/**
 * A fast path for the line shape the shop actually sends: one object with the known keys, ASCII strings
 * without escapes, whole numbers, null, booleans, and the nested "event" object. Anything else (escapes,
 * non-ASCII bytes, other keys, fractions, arrays, malformed text) returns null and goes to the general
 * Jackson parser, so both paths agree on every line (EventParserEquivalenceProperties holds them to it).
 */
final class SimpleLineScanner {
    private static final byte[] ID = ascii("id");
    private static final byte[] TYPE = ascii("type");
    private static final byte[] EVENT = ascii("event");
    private static final byte[] CUSTOMER_DASH = ascii("customer-id");
    private static final byte[] CUSTOMER_UNDERSCORE = ascii("customer_id");
    private static final byte[] TIMESTAMP = ascii("timestamp");
    private static final byte[] AGENT_DASH = ascii("user-agent");
    private static final byte[] AGENT_UNDERSCORE = ascii("user_agent");
    private static final byte[] IP = ascii("ip");
    private static final byte[] PAGE = ascii("page");
    private static final byte[] REFERRER = ascii("referrer");
    private static final byte[] QUERY = ascii("query");
    private static final byte[] PRODUCT = ascii("product");
    private static final byte[] POSITION = ascii("position");

    private static final int STRING = 1;
    private static final int INTEGER = 2;
    private static final int NULL = 3;
    private static final int BOOLEAN = 4;
    private static final int OBJECT = 5;

    private byte[] b;
    private int pos;
    private int end;
    // the last value read
    private int kind;
    private int valueStart;
    private int valueEnd;
    private StringPool pool;

    /** @return the parsed line, or null when the line is not of the simple shape */
    ParsedLine scan(byte[] buf, int off, int len, StringPool pool) {
        b = buf;
        this.pool = pool;
        pos = off;
        end = off + len;
        LineFields f = new LineFields();
        if (!object(f, false)) {
            return null;
        }
        skipBlanks();
        if (pos != end) {
            return null;
        }
        return f.toParsedLine(pool);
    }

    /** Reads an object; the top level holds id, type and event, the nested one the event fields. */
    private boolean object(LineFields f, boolean nested) {
        skipBlanks();
        if (pos >= end || b[pos] != '{') {
            return false;
        }
        pos++;
        skipBlanks();
        if (pos < end && b[pos] == '}') {
            pos++;
            return true;
        }
        while (true) {
            skipBlanks();
            if (!string()) {
                return false;
            }
            int keyStart = valueStart;
            int keyLen = valueEnd - valueStart;
            skipBlanks();
            if (pos >= end || b[pos] != ':') {
                return false;
            }
            pos++;
            skipBlanks();
            boolean isEvent = !nested && keyIs(keyStart, keyLen, EVENT);
            if (isEvent) {
                if (!object(f, true)) {
                    return false;
                }
            } else if (!scalar() || !(nested ? eventField(f, keyStart, keyLen) : topField(f, keyStart, keyLen))) {
                return false;
            }
            skipBlanks();
            if (pos >= end) {
                return false;
            }
            if (b[pos] == ',') {
                pos++;
                continue;
            }
            if (b[pos] == '}') {
                pos++;
                return true;
            }
            return false;
        }
    }

    private boolean topField(LineFields f, int key, int len) {
        if (keyIs(key, len, ID)) {
            f.idPresent = kind != NULL;
            Long v = integer();
            f.idValid = v != null;
            f.id = v == null ? 0 : v;
            return true;
        }
        if (keyIs(key, len, TYPE)) {
            f.type = kind == STRING ? pooledText() : null;
            return true;
        }
        return false;
    }

    private boolean eventField(LineFields f, int key, int len) {
        if (keyIs(key, len, CUSTOMER_DASH) || keyIs(key, len, CUSTOMER_UNDERSCORE)) {
            f.customerPresent = kind != NULL;
            f.customerId = integer();
            f.customerValid = f.customerId != null;
        } else if (keyIs(key, len, TIMESTAMP)) {
            f.timestampPresent = kind != NULL;
            f.timestamp = kind == STRING ? text() : null;
        } else if (keyIs(key, len, AGENT_DASH) || keyIs(key, len, AGENT_UNDERSCORE)) {
            f.userAgent = kind == NULL ? null : pooledText();
        } else if (keyIs(key, len, IP)) {
            f.ip = scalarText();
        } else if (keyIs(key, len, PAGE)) {
            f.page = kind == NULL ? null : pooledText();
        } else if (keyIs(key, len, REFERRER)) {
            f.referrer = kind == NULL ? null : pooledText();
        } else if (keyIs(key, len, QUERY)) {
            f.query = scalarText();
        } else if (keyIs(key, len, PRODUCT)) {
            f.product = kind == NULL ? null : pooledText();
        } else if (keyIs(key, len, POSITION)) {
            if (kind == NULL) {
                return true;
            }
            if (kind != INTEGER || valueEnd - valueStart > 9) {
                return false; // kept as an attribute by the general path
            }
            f.position = (int) parseLong();
        } else {
            return false; // other fields become attributes: the general path renders them
        }
        return true;
    }

    /** The value as the general path's getText() gives it, or null for JSON null. */
    private String scalarText() {
        return kind == NULL ? null : text();
    }

    private Long integer() {
        if (kind == INTEGER) {
            return parseLong();
        }
        if (kind == STRING) {
            return LineFields.integerFromText(text());
        }
        return null;
    }

    /** For values that repeat across lines (types, user agents, pages, referrers, products). */
    private String pooledText() {
        return pool.intern(b, valueStart, valueEnd - valueStart);
    }

    private String text() {
        return new String(b, valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1);
    }

    private long parseLong() {
        int i = valueStart;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        long v = 0;
        for (; i < valueEnd; i++) {
            v = v * 10 + (b[i] - '0');
        }
        return negative ? -v : v;
    }

    /** Reads a string, a whole number, null, true or false; false for anything else. */
    private boolean scalar() {
        if (pos >= end) {
            return false;
        }
        byte c = b[pos];
        if (c == '"') {
            return string();
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
        }
        if (literal("null")) {
            kind = NULL;
            return true;
        }
        if (literal("true") || literal("false")) {
            kind = BOOLEAN;
            return true;
        }
        return false;
    }

    private boolean string() {
        if (pos >= end || b[pos] != '"') {
            return false;
        }
        int start = ++pos;
        while (pos < end) {
            byte c = b[pos];
            if (c == '"') {
                valueStart = start;
                valueEnd = pos;
                kind = STRING;
                pos++;
                return true;
            }
            if (c == '\\' || c < 0x20) { // escapes, control characters and (as negative bytes) non-ASCII
                return false;
            }
            pos++;
        }
        return false;
    }

    private boolean number() {
        int start = pos;
        if (b[pos] == '-') {
            pos++;
        }
        int digits = pos;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            pos++;
        }
        int count = pos - digits;
        if (count == 0 || count > 18 || (count > 1 && b[digits] == '0')) {
            return false;
        }
        if (pos < end && (b[pos] == '.' || b[pos] == 'e' || b[pos] == 'E')) {
            return false;
        }
        valueStart = start;
        valueEnd = pos;
        kind = INTEGER;
        return true;
    }

    private boolean literal(String word) {
        int n = word.length();
        if (pos + n > end) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b[pos + i] != word.charAt(i)) {
                return false;
            }
        }
        int after = pos + n;
        if (after < end && Character.isLetterOrDigit(b[after])) {
            return false;
        }
        valueStart = pos;
        valueEnd = after;
        pos = after;
        return true;
    }

    private void skipBlanks() {
        while (pos < end && (b[pos] == ' ' || b[pos] == '\t' || b[pos] == '\n' || b[pos] == '\r')) {
            pos++;
        }
    }

    private boolean keyIs(int start, int len, byte[] key) {
        if (len != key.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (b[start + i] != key[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
