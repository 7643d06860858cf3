package io.sessionlake.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The hand-written timestamp parser agrees with java.time on valid and invalid ISO-8601 text, including
 * the forms near the common shape that java.time rejects: a space or a lower-case t for the T, offsets
 * without a colon, beyond 18 hours or with too few digits.
 */
class TimestampsProperties {

    @Property(tries = 20000)
    void handParsedTimestampsEqualJavaTime(@ForAll long seed) {
        Random r = new Random(seed);
        int year = 1600 + r.nextInt(900);
        int month = 1 + r.nextInt(13);
        int day = 1 + r.nextInt(31);
        String separator = switch (r.nextInt(8)) {
            case 0 -> " ";
            case 1 -> "t";
            default -> "T";
        };
        String text = String.format("%04d-%02d-%02d%s%02d:%02d:%02d", year, month, day, separator, r.nextInt(25),
                r.nextInt(61), r.nextInt(61));
        int fraction = r.nextInt(10);
        if (fraction > 0) {
            StringBuilder f = new StringBuilder(".");
            for (int i = 0; i < fraction; i++) {
                f.append(r.nextInt(10));
            }
            text += f;
        }
        String sign = r.nextBoolean() ? "+" : "-";
        // hours up to 19 and minutes up to 60: 18:00 is the largest offset java.time takes
        int hours = r.nextInt(4) == 0 ? 17 + r.nextInt(3) : r.nextInt(15);
        int minutes = r.nextInt(4) == 0 ? r.nextInt(61) : 15 * r.nextInt(4);
        String offset = switch (r.nextInt(12)) {
            case 0, 1 -> "";
            case 2 -> "Z";
            case 3 -> "z";
            case 4 -> String.format("%s%02d%02d", sign, hours, minutes); // no colon
            case 5 -> String.format("%s%02d", sign, hours);
            case 6 -> String.format("%s%d", sign, hours); // one digit
            case 7 -> String.format("%s%02d:%02d:%02d", sign, hours, minutes, r.nextInt(61));
            case 8 -> String.format("%s%02d:%d", sign, hours, r.nextInt(10));
            default -> String.format("%s%02d:%02d", sign, hours, minutes);
        };
        text += offset;
        assertEquals(reference(text), Timestamps.parseMicros(text), text);
        // the scanner's path: the same text inside a line, between other bytes
        byte[] line = ("\"timestamp\": \"" + text + "\"}").getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(reference(text), Timestamps.parseMicros(line, 14, text.length()), text);
        // and with the day remembered from the previous tries, as the line scanner parses
        assertEquals(reference(text), Timestamps.parseMicros(line, 14, text.length(), days), text);
        String sameDayOtherTime = text.substring(0, 11) + String.format("%02d:%02d:%02d", r.nextInt(25),
                r.nextInt(61), r.nextInt(61)) + text.substring(19);
        byte[] again = sameDayOtherTime.getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(reference(sameDayOtherTime), Timestamps.parseMicros(again, 0, again.length, days),
                sameDayOtherTime);
    }

    private final Timestamps.DayCache days = new Timestamps.DayCache();

    private static long reference(String text) {
        try {
            OffsetDateTime t = OffsetDateTime.parse(text);
            return t.toEpochSecond() * 1_000_000L + t.getNano() / 1000;
        } catch (DateTimeParseException e) {
            // no offset: UTC
        }
        try {
            LocalDateTime t = LocalDateTime.parse(text);
            return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + t.getNano() / 1000;
        } catch (DateTimeParseException e) {
            return Long.MIN_VALUE;
        }
    }
}
