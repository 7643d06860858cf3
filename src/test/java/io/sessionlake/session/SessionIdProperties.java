package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * A session id is the first 16 bytes, in hex, of the SHA-256 of "customer:firstEventId:firstEventMicros":
 * the contract that lets a rebuild from the raw files find the same ids (SPEC 6).
 */
class SessionIdProperties {

    @Property(tries = 5000)
    void idIsTheDigestOfTheDecimalText(@ForAll long customer, @ForAll long firstEventId, @ForAll long micros)
            throws Exception {
        assertEquals(reference(customer, firstEventId, micros), OpenSession.idFor(customer, firstEventId, micros));
    }

    @Example
    void extremesAndAKnownValue() throws Exception {
        for (long v : new long[] {0, -1, 9, 10, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertEquals(reference(v, v, v), OpenSession.idFor(v, v, v));
        }
        // written out, so that a change of the id scheme cannot pass unnoticed
        assertEquals("86dab0074944c7856e61d2a1fdd60410", OpenSession.idFor(101, 1, 1_650_448_846_290_271L));
    }

    private static String reference(long customer, long firstEventId, long micros) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest((customer + ":" + firstEventId + ":" + micros).getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(digest, 0, 16);
    }
}
