package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Strings in the state come back as written, on the short-ASCII fast path and off it. */
class StateBytesTest {

    @Test
    void stringsOfEveryKindRoundTrip() throws Exception {
        List<String> values = new ArrayList<>(Arrays.asList(null, "", "10.64.217.97", "caf\u00e9", "\u2603 snow",
                "\ud83d\ude00", "a".repeat(63), "b".repeat(64), "c".repeat(127), "d".repeat(128), "x".repeat(70_000),
                "62 ascii then \u00e9" + "e".repeat(48)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StateBytes.Writer w = new StateBytes.Writer(out);
        for (String v : values) {
            w.string(v);
            w.varLong(-7); // something after each, so that a wrong length shows
        }
        w.flush();
        StateBytes.Reader r = new StateBytes.Reader(new ByteArrayInputStream(out.toByteArray()));
        for (String v : values) {
            assertEquals(v, r.string());
            assertEquals(-7, r.varLong());
        }
        assertTrue(r.atEnd());
    }
}
