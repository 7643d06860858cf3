package io.sessionlake.feed;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    // the fields of the event object ...
    private static final int OTHER = 0;
    private static final int CUSTOMER = 1;
    private static final int TIME = 2;
    private static final int USER_AGENT = 3;
    private static final int ADDRESS = 4;
    private static final int PAGE_URL = 5;
    private static final int REFERRER_URL = 6;
    private static final int SEARCH_QUERY = 7;
    private static final int PRODUCT_ID = 8;
    private static final int LIST_POSITION = 9;
    // ... and of the line
    private static final int EVENT_ID = 1;
    private static final int EVENT_TYPE = 2;
    private static final int EVENT_OBJECT = 3;

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
    private final StringPool pool;
    private final StringPool types = StringPool.lowerCasing(1 << 6);
    /** A customer's events carry the same address: pooled, a session keeps one shared instance of it. */
    private final StringPool addresses = new StringPool(1 << 15);
    private final LineFields f = new LineFields();
    private final Repeat lastAgent = new Repeat();
    private final Repeat lastAddress = new Repeat();
    private final Timestamps.DayCache days = new Timestamps.DayCache();

    SimpleLineScanner(StringPool pool) {
        this.pool = pool;
    }

    /** @return the parsed line, or null when the line is not of the simple shape */
    ParsedLine scan(byte[] buf, int off, int len) {
        b = buf;
        pos = off;
        end = off + len;
        f.reset();
        f.pooled = true;
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
            int field = nested ? quickEventKey() : quickTopKey();
            if (field < 0) { // another spelling, or an escape in the key: read it as any string
                if (!string()) {
                    return false;
                }
                field = nested ? eventKey(valueStart, valueEnd - valueStart)
                        : topKey(valueStart, valueEnd - valueStart);
            }
            skipBlanks();
            if (pos >= end || b[pos] != ':') {
                return false;
            }
            pos++;
            skipBlanks();
            if (nested) {
                if (!sameAsLastLine(f, field) && (!scalar() || !eventField(f, field))) {
                    return false;
                }
            } else if (field == EVENT_OBJECT) {
                if (!object(f, true)) {
                    return false;
                }
            } else if (!scalar() || !topField(f, field)) {
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

    private boolean topField(LineFields f, int field) {
        switch (field) {
            case EVENT_ID -> {
                f.idPresent = kind != NULL;
                if (kind == INTEGER) {
                    f.idValid = true;
                    f.id = parseLong();
                    return true;
                }
                Long v = integer();
                f.idValid = v != null;
                f.id = v == null ? 0 : v;
                return true;
            }
            case EVENT_TYPE -> {
                f.type = kind == STRING ? types.intern(b, valueStart, valueEnd - valueStart) : null;
                return true;
            }
            default -> {
                return false;
            }
        }
    }


    private int topKey(int key, int len) {
        return keyIs(key, len, ID) ? EVENT_ID : keyIs(key, len, TYPE) ? EVENT_TYPE
                : keyIs(key, len, EVENT) ? EVENT_OBJECT : OTHER;
    }

    /**
     * A key in the feed's usual spelling, compared with its quotes as one or two eight-byte words instead
     * of scanned for its end and then compared byte by byte; the position moves past its closing quote.
     *
     * @return the field, or -1 when the bytes ahead are not one of these keys (the caller reads them as
     *     any string: the result is the same, only slower)
     */
    private int quickEventKey() {
        if (pos + 16 > end || b[pos] != '"') {
            return -1;
        }
        long w0 = (long) LONGS.get(b, pos);
        long w1 = (long) LONGS.get(b, pos + 8);
        QuickKey[] candidates = switch (b[pos + 1]) {
            case 'u' -> QUICK_AGENT;
            case 'i' -> QUICK_ADDRESS;
            case 'c' -> QUICK_CUSTOMER;
            case 't' -> QUICK_TIME;
            case 'p' -> QUICK_P;
            case 'r' -> QUICK_REFERRER;
            case 'q' -> QUICK_QUERY;
            default -> NO_KEYS;
        };
        for (QuickKey k : candidates) {
            if ((w0 & k.mask0) == k.word0 && (w1 & k.mask1) == k.word1) {
                pos += k.length;
                return k.field;
            }
        }
        return -1;
    }

    private int quickTopKey() {
        if (pos + 16 > end || b[pos] != '"') {
            return -1;
        }
        long w0 = (long) LONGS.get(b, pos);
        long w1 = (long) LONGS.get(b, pos + 8);
        for (QuickKey k : QUICK_TOP) {
            if ((w0 & k.mask0) == k.word0 && (w1 & k.mask1) == k.word1) {
                pos += k.length;
                return k.field;
            }
        }
        return -1;
    }

    /** A key with its quotes as two little-endian words and masks (at most sixteen bytes), and its field. */
    private record QuickKey(long word0, long mask0, long word1, long mask1, int length, int field) {
        static QuickKey of(String key, int field) {
            byte[] quoted = ascii('"' + key + '"');
            byte[] padded = Arrays.copyOf(quoted, 16);
            int n = quoted.length;
            long mask0 = n >= 8 ? -1L : (1L << (8 * n)) - 1;
            long mask1 = n <= 8 ? 0L : (1L << (8 * (n - 8))) - 1;
            return new QuickKey((long) LONGS.get(padded, 0) & mask0, mask0, (long) LONGS.get(padded, 8) & mask1,
                    mask1, n, field);
        }
    }

    private static final QuickKey[] NO_KEYS = {};
    private static final QuickKey[] QUICK_AGENT = {QuickKey.of("user-agent", USER_AGENT),
        QuickKey.of("user_agent", USER_AGENT)};
    private static final QuickKey[] QUICK_ADDRESS = {QuickKey.of("ip", ADDRESS)};
    private static final QuickKey[] QUICK_CUSTOMER = {QuickKey.of("customer-id", CUSTOMER),
        QuickKey.of("customer_id", CUSTOMER)};
    private static final QuickKey[] QUICK_TIME = {QuickKey.of("timestamp", TIME)};
    private static final QuickKey[] QUICK_P = {QuickKey.of("page", PAGE_URL), QuickKey.of("product", PRODUCT_ID),
        QuickKey.of("position", LIST_POSITION)};
    private static final QuickKey[] QUICK_REFERRER = {QuickKey.of("referrer", REFERRER_URL)};
    private static final QuickKey[] QUICK_QUERY = {QuickKey.of("query", SEARCH_QUERY)};
    private static final QuickKey[] QUICK_TOP = {QuickKey.of("id", EVENT_ID), QuickKey.of("type", EVENT_TYPE),
        QuickKey.of("event", EVENT_OBJECT)};

    /**
     * A customer's lines follow each other and carry the same user agent and address: when the value
     * ahead is the previous line's, byte for byte and then the closing quote, it is taken without
     * scanning, hashing or pooling it again. Those bytes passed the string scan before, so they are
     * a plain string still.
     */
    private boolean sameAsLastLine(LineFields f, int field) {
        Repeat last = field == USER_AGENT ? lastAgent : field == ADDRESS ? lastAddress : null;
        if (last == null || last.value == null) {
            return false;
        }
        int n = last.length;
        int from = pos + 1;
        if (from + n >= end || b[pos] != '"' || b[from + n] != '"'
                || !Arrays.equals(b, from, from + n, last.bytes, 0, n)) {
            return false;
        }
        pos = from + n + 1;
        if (field == USER_AGENT) {
            f.userAgent = last.value;
        } else {
            f.ip = last.value;
        }
        return true;
    }

    /** The last string value of one field, and its bytes. */
    private static final class Repeat {
        byte[] bytes = new byte[128];
        int length;
        String value;

        String remember(byte[] b, int from, int to, String v) {
            length = to - from;
            if (bytes.length < length) {
                bytes = new byte[Math.max(length, 2 * bytes.length)];
            }
            System.arraycopy(b, from, bytes, 0, length);
            value = v;
            return v;
        }
    }

    private boolean eventField(LineFields f, int field) {
        switch (field) {
            case CUSTOMER -> {
                f.customerPresent = kind != NULL;
                if (kind == INTEGER) {
                    f.customerValid = true;
                    f.customerId = parseLong();
                } else {
                    Long v = integer();
                    f.customerValid = v != null;
                    f.customerId = v == null ? 0 : v;
                }
            }
            case TIME -> {
                f.timestampPresent = kind != NULL;
                f.timestamp = null;
                f.timestampParsed = kind == STRING;
                if (kind == STRING) {
                    f.timestampMicros = Timestamps.parseMicros(b, valueStart, valueEnd - valueStart, days);
                    if (f.timestampMicros == Long.MIN_VALUE) {
                        f.timestamp = text(); // only to quote it in the rejection
                    }
                }
            }
            case USER_AGENT -> f.userAgent = kind == NULL ? null
                    : kind == STRING ? lastAgent.remember(b, valueStart, valueEnd, pooledText()) : pooledText();
            case ADDRESS -> f.ip = kind == NULL ? null
                    : kind == STRING ? lastAddress.remember(b, valueStart, valueEnd,
                            addresses.intern(b, valueStart, valueEnd - valueStart)) : text();
            case PAGE_URL -> f.page = kind == NULL ? null : pooledText();
            case REFERRER_URL -> f.referrer = kind == NULL ? null : pooledText();
            case SEARCH_QUERY -> f.query = scalarText();
            case PRODUCT_ID -> f.product = kind == NULL ? null : pooledText();
            case LIST_POSITION -> {
                if (kind == NULL) {
                    return true;
                }
                if (kind != INTEGER || valueEnd - valueStart > 9) {
                    return false; // kept as an attribute by the general path
                }
                f.position = (int) parseLong();
            }
            default -> {
                return false; // other fields become attributes: the general path renders them
            }
        }
        return true;
    }


    /** Which event field a key names; by length first, so most keys are told apart by one compare. */
    private int eventKey(int key, int len) {
        return switch (len) {
            case 2 -> keyIs(key, len, IP) ? ADDRESS : OTHER;
            case 4 -> keyIs(key, len, PAGE) ? PAGE_URL : OTHER;
            case 5 -> keyIs(key, len, QUERY) ? SEARCH_QUERY : OTHER;
            case 7 -> keyIs(key, len, PRODUCT) ? PRODUCT_ID : OTHER;
            case 8 -> keyIs(key, len, REFERRER) ? REFERRER_URL : keyIs(key, len, POSITION) ? LIST_POSITION : OTHER;
            case 9 -> keyIs(key, len, TIMESTAMP) ? TIME : OTHER;
            case 10 -> keyIs(key, len, AGENT_DASH) || keyIs(key, len, AGENT_UNDERSCORE) ? USER_AGENT : OTHER;
            case 11 -> keyIs(key, len, CUSTOMER_DASH) || keyIs(key, len, CUSTOMER_UNDERSCORE) ? CUSTOMER : OTHER;
            default -> OTHER;
        };
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
        // eight bytes at a time: the first byte that is a quote, a backslash, a control character or
        // non-ASCII; if it is the quote, the string ends there
        while (pos + 8 <= end) {
            long w = (long) LONGS.get(b, pos);
            long special = specialBytes(w);
            if (special != 0) {
                int at = pos + (Long.numberOfTrailingZeros(special) >>> 3);
                if (b[at] != '"') {
                    return false; // escapes and the rest: the general path
                }
                valueStart = start;
                valueEnd = at;
                kind = STRING;
                pos = at + 1;
                return true;
            }
            pos += 8;
        }
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

    /**
     * The high bit of each of the eight bytes that is '"', '\\', below 0x20 or above 0x7f (the classic
     * "has zero byte" bit trick, little-endian). Bits above the first flagged byte may be false alarms;
     * the lowest one is exact, and it is the only one used.
     */
    private static long specialBytes(long w) {
        long quote = w ^ 0x2222222222222222L;
        long backslash = w ^ 0x5C5C5C5C5C5C5C5CL;
        long found = ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash)
                | ((w - 0x2020202020202020L) & ~w) | w;
        return found & HIGH_BITS;
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
        while (pos < end) {
            byte c = b[pos];
            if (c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r')) { // most often the first test decides
                return;
            }
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
