package io.sessionlake.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The fast scanner and the general Jackson parser must give the same verdict and the same event for
 * every line: random lines built from the feed's fields. Most are of the shapes the fast path decides
 * itself (so it is compared with Jackson, not Jackson with Jackson: {@link #mostLinesAreDecidedByTheFastPath}
 * holds the generator to that); the rest carry the oddities real feeds have.
 */
class EventParserEquivalenceProperties {
    private static final String[] IDS = {"1", "488775", "-3", "0", "\"42\"", "\" 7 \"", "\"x\"", "null", "true",
        "1.5", "1e3", "0123", "99999999999999999999", "{}", "[1]", "9223372036854775807"};
    private static final String[] TYPES = {"\"page_view\"", "\"SEARCH\"", "\"Placed_Order\"", "\"brand_new\"", "null",
        "5", "\"\"", "{\"a\": 1}", "\"with \\\"quote\\\"\""};
    private static final String[] CUSTOMERS = {"3024", "\"105\"", "null", "\"abc\"", "-1", "1.0", "[1]", "\"\""};
    private static final String[] TIMES = {"\"2022-04-28T08:22:46.290271\"", "\"2022-04-21T09:10:46.290271+02:00\"",
        "\"2022-04-21T09:10:46Z\"", "\"not-a-time\"", "null", "12", "\"2022-02-30T10:00:00\"", "{\"t\": 1}",
        "\"2022-04-28 08:22:46\""};
    private static final String[] TEXTS = {"\"Opera/9.61 (Windows NT 6.1; U; en) Presto/2.1.1\"", "\"https://xcc-webshop.com\"",
        "\"\"", "null", "12", "true", "\"caf\u00e9\"", "\"tab\\there\"", "\"a\\u0041b\"", "{\"x\": 1}", "[1, 2]", "-7", "3.25",
        // longer than eight bytes, with the byte that ends the fast path at different offsets
        "\"https://xcc-webshop.com/search?q=\\\"gnome\\\"\"", "\"0123456789ab\tcdef\"",
        "\"Mozilla/5.0 (X11; Linux x86_64) \u00fcber\"", "\"0123456\\\\back/slash\"",
        "\"0123456789abcdef0123456789abcdef\"", "\"01234567\u001f\""};
    private static final String[] POSITIONS = {"3", "0", "\"3\"", "null", "12345678901", "2.5"};
    // values of the shapes the fast path decides: whole numbers, plain ASCII strings, null
    private static final String[] USUAL_IDS = {"1", "488775", "0", "-3", "922337203685477580", "null", "\"x\""};
    private static final String[] USUAL_TYPES = {"\"page_view\"", "\"search\"", "\"SEARCH\"", "\"Placed_Order\"",
        "\"brand_new\"", "null", "\"\""};
    private static final String[] USUAL_CUSTOMERS = {"3024", "1", "null", "0", "-1"};
    private static final String[] USUAL_TIMES = {"\"2022-04-28T08:22:46.290271\"", "\"2022-04-21T09:10:46.290271+02:00\"",
        "\"2022-04-21T09:10:46Z\"", "\"2022-04-28T08:22:46\"", "\"2022-02-30T10:00:00\"", "\"2022-04-28 08:22:46\"",
        "\"2022-04-28T08:22:46+0200\"", "\"2022-04-28T08:22:46+18:30\"", "\"not-a-time\"", "null"};
    private static final String[] USUAL_TEXTS = {"\"Opera/9.61 (Windows NT 6.1; U; en) Presto/2.1.1\"",
        "\"https://xcc-webshop.com\"", "\"62.222.197.54\"", "\"\"", "null", "\"0123456789abcdef0123456789abcdef\""};
    private static final String[] USUAL_POSITIONS = {"3", "0", "null"};
    private static final String[] EVENT_KEYS = {"customer-id", "customer_id", "timestamp", "user-agent", "user_agent",
        "ip", "page", "referrer", "query", "product", "position", "coupon"};

    private final EventParser parser = new EventParser();

    @Property(tries = 10000)
    void fastPathAndJacksonAgreeOnEveryLine(@ForAll long seed) {
        Random r = new Random(seed);
        String line = line(r);
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        assertEquals(parser.parseWithJackson(b, 0, b.length), parser.parse(b, 0, b.length), line);
    }

    @Test
    void theFeedsUsualLineTakesTheFastPath() {
        String line = "{\"id\": 488775, \"type\": \"page_view\", \"event\": {\"user-agent\": \"Opera/9.61\","
                + " \"ip\": \"62.222.197.54\", \"customer-id\": 3024, \"timestamp\": \"2022-04-28T08:22:46.290271\","
                + " \"page\": \"https://xcc-webshop.com\", \"referrer\": \"https://www.google.com/\"}}";
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        ParsedLine fast = new SimpleLineScanner(new StringPool(16)).scan(b, 0, b.length);
        assertNotNull(fast, "the usual shape must not fall back to Jackson");
        assertEquals(parser.parseWithJackson(b, 0, b.length), fast);
    }

    @Test
    void mostLinesAreDecidedByTheFastPath() {
        Random r = new Random(12);
        SimpleLineScanner scanner = new SimpleLineScanner(new StringPool(16));
        int lines = 20_000;
        int decided = 0;
        for (int i = 0; i < lines; i++) {
            byte[] b = line(r).getBytes(StandardCharsets.UTF_8);
            if (scanner.scan(b, 0, b.length) != null) {
                decided++;
            }
        }
        double share = (double) decided / lines;
        System.out.printf("EventParserEquivalenceProperties: the fast path decided %.1f%% of %d generated lines%n",
                100 * share, lines);
        assertTrue(share >= 0.70, "the fast path decided only " + share + " of the lines: the property would"
                + " mostly compare Jackson with Jackson");
        assertTrue(share <= 0.95, "the fast path decided " + share + " of the lines: too few unusual ones");
    }

    /** Four lines in five of the usual shapes, the fifth with oddities. */
    private static String line(Random r) {
        return r.nextInt(5) == 0 ? unusualLine(r) : usualLine(r);
    }

    /** The feed's fields in any order, now and then one missing, with values of the usual shapes. */
    private static String usualLine(Random r) {
        List<String> top = new ArrayList<>();
        if (r.nextInt(20) > 0) {
            top.add(field("id", pick(r, USUAL_IDS)));
        }
        if (r.nextInt(20) > 0) {
            top.add(field("type", pick(r, USUAL_TYPES)));
        }
        if (r.nextInt(20) > 0) {
            List<String> fields = new ArrayList<>();
            for (String key : EVENT_KEYS) {
                if (!key.equals("coupon") && r.nextInt(4) > 0) {
                    String value = switch (key) {
                        case "customer-id", "customer_id" -> pick(r, USUAL_CUSTOMERS);
                        case "timestamp" -> r.nextInt(4) > 0 ? USUAL_TIMES[0] : pick(r, USUAL_TIMES);
                        case "position" -> pick(r, USUAL_POSITIONS);
                        default -> pick(r, USUAL_TEXTS);
                    };
                    fields.add(field(key, value));
                }
            }
            Collections.shuffle(fields, r);
            top.add(field("event", "{" + String.join(", ", fields) + "}"));
        }
        Collections.shuffle(top, r);
        return "{" + String.join(", ", top) + "}";
    }

    private static String unusualLine(Random r) {
        List<String> top = new ArrayList<>();
        if (r.nextInt(10) > 0) {
            top.add(field("id", pick(r, IDS)));
        }
        if (r.nextInt(10) > 0) {
            top.add(field("type", pick(r, TYPES)));
        }
        if (r.nextInt(10) > 0) {
            top.add(field("event", r.nextInt(15) == 0 ? pick(r, TEXTS) : eventObject(r)));
        }
        if (r.nextInt(12) == 0) {
            top.add(field(r.nextBoolean() ? "source" : "id", pick(r, TEXTS)));
        }
        Collections.shuffle(top, r);
        String sep = r.nextInt(5) == 0 ? ",\t" : ", ";
        String line = "{" + String.join(sep, top) + "}";
        return switch (r.nextInt(20)) {
            case 0 -> line.substring(0, r.nextInt(line.length()));
            case 1 -> line + " trailing";
            case 2 -> " " + line + " \r";
            case 3 -> line.replace(":", " : ");
            default -> line;
        };
    }

    private static String eventObject(Random r) {
        List<String> fields = new ArrayList<>();
        for (String key : EVENT_KEYS) {
            if (r.nextInt(3) > 0) {
                String value = switch (key) {
                    case "customer-id", "customer_id" -> pick(r, CUSTOMERS);
                    case "timestamp" -> pick(r, TIMES);
                    case "position" -> pick(r, POSITIONS);
                    case "coupon" -> r.nextInt(4) == 0 ? pick(r, TEXTS) : null;
                    default -> pick(r, TEXTS);
                };
                if (value != null) {
                    fields.add(field(key, value));
                }
            }
        }
        Collections.shuffle(fields, r);
        return "{" + String.join(", ", fields) + "}";
    }

    private static String field(String key, String value) {
        return "\"" + key + "\": " + value;
    }

    private static String pick(Random r, String[] options) {
        return options[r.nextInt(options.length)];
    }
}
