package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The dedupe window keeps minutes: rounded down and clamped, so every id that must stay does. */
class DedupeWindowMinutesTest {
    private static final long MINUTE = 60_000_000L;

    @Test
    void minutesRoundDownAlsoBeforeTheEpochAndClampAtTheIntRange() {
        assertEquals(0, SessionState.minuteOf(0));
        assertEquals(0, SessionState.minuteOf(MINUTE - 1));
        assertEquals(1, SessionState.minuteOf(MINUTE));
        assertEquals(-1, SessionState.minuteOf(-1));
        assertEquals(Integer.MAX_VALUE, SessionState.minuteOf(Long.MAX_VALUE));
        assertEquals(Integer.MIN_VALUE, SessionState.minuteOf(Long.MIN_VALUE));
    }

    @Test
    void anIdAtTheCutoffStaysAndOneAMinuteBeforeGoes() {
        SeenIds window = new SeenIds();
        long cutoff = 1_650_448_846_290_271L;
        int none = Integer.MIN_VALUE;
        assertTrue(window.putUnlessAtLeast(1, SessionState.minuteOf(cutoff), none));
        assertTrue(window.putUnlessAtLeast(2, SessionState.minuteOf(cutoff - MINUTE), none));
        assertTrue(window.putUnlessAtLeast(3, SessionState.minuteOf(cutoff + 1), none));
        window.retainMinutesAtLeast(SessionState.minuteOf(cutoff));
        assertEquals(SessionState.minuteOf(cutoff), window.minuteOf(1, none));
        assertEquals(none, window.minuteOf(2, none));
        assertEquals(SessionState.minuteOf(cutoff + 1), window.minuteOf(3, none));
        assertEquals(2, window.size());
    }
}
