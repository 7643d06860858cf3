package io.sessionlake.session;

import java.net.URI;
import java.util.Locale;

/** The host of a referrer URL, lower-case and without a leading "www.", as analytics tools report sources. */
public final class ReferrerHosts {
    private ReferrerHosts() {
    }

    public static String hostOf(String referrer) {
        if (referrer == null || referrer.isBlank()) {
            return null;
        }
        String host = null;
        try {
            host = URI.create(referrer.trim()).getHost();
        } catch (IllegalArgumentException e) {
            // not a well-formed URI: take what stands between "//" and the next "/"
        }
        if (host == null) {
            String s = referrer.trim();
            int scheme = s.indexOf("//");
            int from = scheme >= 0 ? scheme + 2 : 0;
            int to = from;
            while (to < s.length() && "/?#:".indexOf(s.charAt(to)) < 0) {
                to++;
            }
            host = s.substring(from, to);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.startsWith("www.")) {
            host = host.substring(4);
        }
        return host.isEmpty() ? null : host;
    }
}
