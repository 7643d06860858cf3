package io.sessionlake.session;

import java.util.Locale;

/**
 * The host of a referrer URL, lower-case and without a leading "www.", as analytics tools report sources.
 * Parsed by hand: referrers are often not valid URIs (spaces, bare hosts), and this runs once per session.
 */
public final class ReferrerHosts {
    private ReferrerHosts() {
    }

    public static String hostOf(String referrer) {
        if (referrer == null) {
            return null;
        }
        String s = referrer.trim();
        int scheme = s.indexOf("://");
        int from = scheme >= 0 ? scheme + 3 : s.startsWith("//") ? 2 : 0;
        int to = from;
        while (to < s.length() && "/?#".indexOf(s.charAt(to)) < 0) {
            to++;
        }
        String authority = s.substring(from, to);
        int at = authority.lastIndexOf('@');
        String host = at >= 0 ? authority.substring(at + 1) : authority;
        int port = host.lastIndexOf(':');
        if (port >= 0 && !host.endsWith("]")) {
            host = host.substring(0, port);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.startsWith("www.")) {
            host = host.substring(4);
        }
        return host.isEmpty() ? null : host;
    }
}
