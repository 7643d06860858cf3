package io.sessionlake.session;

import io.sessionlake.feed.Event;
import io.sessionlake.feed.EventTypes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A session that later events may still extend or merge, kept as an aggregate rather than its events:
 * every attribute is a count, a min/max, or "the value of the earliest event that has one", so merging
 * two sessions gives the same result as sessionizing their events together.
 */
public final class OpenSession {
    long firstTime;
    long firstId;
    long lastTime;
    int eventCount;
    int pageViews;
    int searches;
    int addsToCart;
    int removesFromCart;
    int orders;
    String userAgent;
    String ip;
    long pageTime;
    long pageId;
    String page;
    long referrerTime;
    long referrerId;
    String referrer;
    private String cachedId;
    /** The host of {@link #referrer}, parsed once for the referrer instance it was parsed from. */
    private String cachedHost;
    private String hostParsedFrom;

    OpenSession() {
    }

    static OpenSession of(Event e) {
        OpenSession s = new OpenSession();
        s.firstTime = e.timeMicros();
        s.firstId = e.id();
        s.lastTime = e.timeMicros();
        s.userAgent = e.userAgent();
        s.ip = e.ip();
        s.pageTime = Long.MAX_VALUE;
        s.referrerTime = Long.MAX_VALUE;
        s.countType(e.type(), 1);
        s.eventCount = 1;
        s.offerPage(e.timeMicros(), e.id(), e.page());
        s.offerReferrer(e.timeMicros(), e.id(), e.referrer());
        return s;
    }

    /** A copy as this session is now, which later events do not change. */
    OpenSession copy() {
        OpenSession c = new OpenSession();
        c.firstTime = firstTime;
        c.firstId = firstId;
        c.lastTime = lastTime;
        c.eventCount = eventCount;
        c.pageViews = pageViews;
        c.searches = searches;
        c.addsToCart = addsToCart;
        c.removesFromCart = removesFromCart;
        c.orders = orders;
        c.userAgent = userAgent;
        c.ip = ip;
        c.pageTime = pageTime;
        c.pageId = pageId;
        c.page = page;
        c.referrerTime = referrerTime;
        c.referrerId = referrerId;
        c.referrer = referrer;
        c.cachedId = cachedId;
        c.cachedHost = cachedHost;
        c.hostParsedFrom = hostParsedFrom;
        return c;
    }

    /** Whether this and {@code o} have the same first event, so the same session id ({@link #idFor}). */
    boolean sameId(OpenSession o) {
        return firstTime == o.firstTime && firstId == o.firstId;
    }

    /**
     * Whether {@link #toSession} would give equal sessions for this and {@code o} at the same number: every field a
     * {@link Session} has (its host follows from its referrer), none of the bookkeeping it has not (which event gave
     * the page or the referrer).
     */
    boolean sameSessionAs(OpenSession o) {
        return sameId(o) && lastTime == o.lastTime && eventCount == o.eventCount && pageViews == o.pageViews
                && searches == o.searches && addsToCart == o.addsToCart && removesFromCart == o.removesFromCart
                && orders == o.orders && java.util.Objects.equals(page, o.page)
                && java.util.Objects.equals(referrer, o.referrer) && java.util.Objects.equals(userAgent, o.userAgent)
                && java.util.Objects.equals(ip, o.ip);
    }

    long start() {
        return firstTime;
    }

    long end() {
        return lastTime;
    }

    void absorb(Event e) {
        if (Event.compareTimeThenId(e.timeMicros(), e.id(), firstTime, firstId) < 0) {
            firstTime = e.timeMicros();
            firstId = e.id();
            userAgent = e.userAgent();
            ip = e.ip();
            cachedId = null;
        }
        lastTime = Math.max(lastTime, e.timeMicros());
        eventCount++;
        countType(e.type(), 1);
        offerPage(e.timeMicros(), e.id(), e.page());
        offerReferrer(e.timeMicros(), e.id(), e.referrer());
    }

    void absorb(OpenSession o) {
        if (Event.compareTimeThenId(o.firstTime, o.firstId, firstTime, firstId) < 0) {
            firstTime = o.firstTime;
            firstId = o.firstId;
            userAgent = o.userAgent;
            ip = o.ip;
            cachedId = null;
        }
        lastTime = Math.max(lastTime, o.lastTime);
        eventCount += o.eventCount;
        pageViews += o.pageViews;
        searches += o.searches;
        addsToCart += o.addsToCart;
        removesFromCart += o.removesFromCart;
        orders += o.orders;
        offerPage(o.pageTime, o.pageId, o.page);
        offerReferrer(o.referrerTime, o.referrerId, o.referrer);
    }

    private void countType(String type, int n) {
        switch (type) {
            case EventTypes.PAGE_VIEW -> pageViews += n;
            case EventTypes.SEARCH -> searches += n;
            case EventTypes.ADD_TO_CART -> addsToCart += n;
            case EventTypes.REMOVE_FROM_CART -> removesFromCart += n;
            case EventTypes.PLACED_ORDER -> orders += n;
            default -> {
                // counted in eventCount only
            }
        }
    }

    private void offerPage(long time, long id, String candidate) {
        if (candidate != null && Event.compareTimeThenId(time, id, pageTime, pageId) < 0) {
            pageTime = time;
            pageId = id;
            page = candidate;
        }
    }

    private void offerReferrer(long time, long id, String candidate) {
        if (candidate != null && !candidate.isEmpty()
                && Event.compareTimeThenId(time, id, referrerTime, referrerId) < 0) {
            referrerTime = time;
            referrerId = id;
            referrer = candidate;
        }
    }

    /** Derived from the customer and the first event only, so a rebuild from raw files finds the same id. */
    String sessionId(long customerId) {
        if (cachedId == null) {
            cachedId = idFor(customerId, firstId, firstTime);
        }
        return cachedId;
    }

    static String idFor(long customerId, long firstEventId, long firstEventMicros) {
        // the digest of "customer:firstEventId:firstEventMicros" in ASCII, written without a String
        IdInput in = ID_INPUT.get();
        int n = in.decimal(customerId, 0);
        in.text[n++] = ':';
        n = in.decimal(firstEventId, n);
        in.text[n++] = ':';
        n = in.decimal(firstEventMicros, n);
        in.sha.update(in.text, 0, n);
        return in.hexOfDigest();
    }

    /** Per thread: a digest (MessageDigest.getInstance looks the provider up reflectively) and a buffer. */
    private static final class IdInput {
        final MessageDigest sha;
        final byte[] text = new byte[64];
        private final byte[] digest = new byte[32];
        private final byte[] hex = new byte[32];
        private final byte[] scratch = new byte[20];

        IdInput() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JRE", e);
            }
        }

        /** The first 16 bytes of the digest in lower-case hex, as HexFormat would, without its two copies. */
        String hexOfDigest() {
            try {
                sha.digest(digest, 0, digest.length);
            } catch (java.security.DigestException e) {
                throw new IllegalStateException("a SHA-256 digest is 32 bytes", e);
            }
            for (int i = 0; i < 16; i++) {
                hex[2 * i] = HEX_DIGITS[(digest[i] >> 4) & 0xF];
                hex[2 * i + 1] = HEX_DIGITS[digest[i] & 0xF];
            }
            return new String(hex, StandardCharsets.ISO_8859_1);
        }

        /** Writes {@code v} in decimal at {@code at}, as Long.toString would; @return the index after it. */
        int decimal(long v, int at) {
            if (v == Long.MIN_VALUE) {
                byte[] min = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(min, 0, text, at, min.length);
                return at + min.length;
            }
            if (v < 0) {
                text[at++] = '-';
                v = -v;
            }
            int i = scratch.length; // digits from the last, in one pass of divisions
            do {
                scratch[--i] = (byte) ('0' + v % 10);
                v /= 10;
            } while (v != 0);
            int digits = scratch.length - i;
            System.arraycopy(scratch, i, text, at, digits);
            return at + digits;
        }
    }

    private static final ThreadLocal<IdInput> ID_INPUT = ThreadLocal.withInitial(IdInput::new);

    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /**
     * Every revision of a session and every metrics update wants the host: parsed once per referrer a
     * session has, rather than each time (a session's referrer only changes when an earlier event brings one).
     */
    String referrerHost() {
        if (referrer != hostParsedFrom) {
            cachedHost = ReferrerHosts.hostOf(referrer);
            hostParsedFrom = referrer;
        }
        return cachedHost;
    }

    long durationMicros() {
        return lastTime - firstTime;
    }

    boolean hasOrder() {
        return orders > 0;
    }

    Session toSession(long customerId, int sessionNumber) {
        return new Session(sessionId(customerId), customerId, firstTime, lastTime, eventCount, pageViews,
                searches, addsToCart, removesFromCart, orders, page, referrer, referrerHost(), userAgent, ip,
                sessionNumber);
    }
}
