package io.sessionlake.feed;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * ISO-8601 timestamps to UTC epoch microseconds (SPEC 1): no offset means UTC, an offset is converted,
 * digits beyond microseconds are dropped. What is accepted is what java.time's ISO parsers accept
 * ({@code OffsetDateTime}, else {@code LocalDateTime}): no space for the T, offsets {@code +HH},
 * {@code +HH:MM} or {@code +HH:MM:SS} up to 18 hours, not {@code +HHMM}. The common shape is parsed by
 * hand because it is on the hot path; whatever it does not decide, java.time does.
 */
public final class Timestamps {
    private static final long MICROS_PER_SECOND = 1_000_000L;

    private Timestamps() {
    }

    /** @return epoch microseconds, or {@link Long#MIN_VALUE} when the text is not an ISO-8601 timestamp */
    public static long parseMicros(String text) {
        // non-Latin-1 characters become '?', which the common shape rejects: java.time then decides
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        long fast = parseCommonShape(bytes, 0, bytes.length, null);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        return parseWithJavaTime(text);
    }

    /**
     * The same for Latin-1 text held in a byte range, as the line scanner finds it: no String is made for
     * the common shape, which every line of the feed has.
     */
    public static long parseMicros(byte[] b, int off, int len) {
        return parseMicros(b, off, len, null);
    }

    /** As {@link #parseMicros(byte[], int, int)}, reusing the calendar day of the last call when the date repeats. */
    static long parseMicros(byte[] b, int off, int len, DayCache days) {
        long fast = parseCommonShape(b, off, len, days);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        return parseWithJavaTime(new String(b, off, len, StandardCharsets.ISO_8859_1));
    }

    public static String format(long micros) {
        long seconds = Math.floorDiv(micros, MICROS_PER_SECOND);
        int micro = (int) Math.floorMod(micros, MICROS_PER_SECOND);
        LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, micro * 1000, ZoneOffset.UTC);
        return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t) + "Z";
    }

    /** The UTC calendar date of a time, as used for the dt= partitions. */
    public static LocalDate utcDate(long micros) {
        return LocalDate.ofEpochDay(utcEpochDay(micros));
    }

    /** The UTC day of a time, in days since 1970-01-01. */
    public static long utcEpochDay(long micros) {
        return Math.floorDiv(micros, MICROS_PER_SECOND * 86_400L);
    }

    /**
     * The last valid date a parser saw and its day number: the lines of a feed mostly share their date, so
     * the calendar checks and arithmetic run once per day instead of once per line. One per thread.
     */
    static final class DayCache {
        private final byte[] date = new byte[10];
        private long epochDay;
        private boolean valid;
    }

    // yyyy-MM-ddTHH:mm:ss[.f{1,9}][Z|+HH:MM|+HH], offsets within +-18:00; anything else goes to java.time
    private static long parseCommonShape(byte[] s, int off, int len, DayCache days) {
        int n = off + len;
        if (len < 19 || s[off + 4] != '-' || s[off + 7] != '-' || s[off + 10] != 'T'
                || s[off + 13] != ':' || s[off + 16] != ':') {
            return Long.MIN_VALUE;
        }
        boolean knownDay = days != null && days.valid
                && java.util.Arrays.equals(s, off, off + 10, days.date, 0, 10);
        int year = knownDay ? 0 : digits(s, off, 4);
        int month = knownDay ? 1 : digits(s, off + 5, 2);
        int day = knownDay ? 1 : digits(s, off + 8, 2);
        int hour = digits(s, off + 11, 2);
        int minute = digits(s, off + 14, 2);
        int second = digits(s, off + 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return Long.MIN_VALUE;
        }
        int i = off + 19;
        long micro = 0;
        if (i < n && s[i] == '.') {
            i++;
            int start = i;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (i - start < 6) {
                    micro = micro * 10 + (s[i] - '0');
                }
                i++;
            }
            int fractionDigits = i - start;
            if (fractionDigits == 0 || fractionDigits > 9) {
                return Long.MIN_VALUE;
            }
            for (int k = fractionDigits; k < 6; k++) {
                micro *= 10;
            }
        }
        int offsetSeconds = 0;
        if (i < n) {
            byte c = s[i];
            if (c == 'Z' || c == 'z') {
                if (i + 1 != n) {
                    return Long.MIN_VALUE;
                }
            } else if (c == '+' || c == '-') {
                int rest = n - i - 1;
                int oh;
                int om = 0;
                if (rest == 2) {
                    oh = digits(s, i + 1, 2);
                } else if (rest == 5 && s[i + 3] == ':') {
                    oh = digits(s, i + 1, 2);
                    om = digits(s, i + 4, 2);
                } else {
                    return Long.MIN_VALUE;
                }
                if (oh < 0 || om < 0 || om > 59 || oh * 60 + om > 18 * 60) {
                    return Long.MIN_VALUE;
                }
                offsetSeconds = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
            } else {
                return Long.MIN_VALUE;
            }
        }
        if (hour > 23 || minute > 59 || second > 59) {
            return Long.MIN_VALUE;
        }
        long epochDay;
        if (knownDay) {
            epochDay = days.epochDay;
        } else {
            if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
                return Long.MIN_VALUE;
            }
            epochDay = epochDay(year, month, day);
            if (days != null) {
                System.arraycopy(s, off, days.date, 0, 10);
                days.epochDay = epochDay;
                days.valid = true;
            }
        }
        long epochSecond = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return epochSecond * MICROS_PER_SECOND + micro;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse, as java.time does). */
    private static long epochDay(int year, int month, int day) {
        long y = year;
        long total = 365 * y;
        if (y >= 0) {
            total += (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
        } else {
            total -= y / -4 - y / -100 + y / -400;
        }
        total += (367 * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            if (!(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) {
                total--;
            }
        }
        return total - 719_528L;
    }

    private static long parseWithJavaTime(String text) {
        try {
            OffsetDateTime t = OffsetDateTime.parse(text);
            return t.toEpochSecond() * MICROS_PER_SECOND + t.getNano() / 1000;
        } catch (DateTimeParseException e) {
            // fall through: maybe a local date-time in another ISO form
        }
        try {
            LocalDateTime t = LocalDateTime.parse(text);
            return t.toEpochSecond(ZoneOffset.UTC) * MICROS_PER_SECOND + t.getNano() / 1000;
        } catch (DateTimeParseException e) {
            return Long.MIN_VALUE;
        }
    }

    private static int digits(byte[] s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            byte c = s[i];
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
