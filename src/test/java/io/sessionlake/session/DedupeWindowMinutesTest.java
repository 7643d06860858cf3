package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        LongIntMap window = new LongIntMap();
        long cutoff = 1_650_448_846_290_271L;
        window.putIfAbsent(1, SessionState.minuteOf(cutoff));
        window.putIfAbsent(2, SessionState.minuteOf(cutoff - MINUTE));
        window.putIfAbsent(3, SessionState.minuteOf(cutoff + 1));
        window.retainValuesAtLeast(SessionState.minuteOf(cutoff));
        assertTrue(window.containsKey(1));
        assertFalse(window.containsKey(2));
        assertTrue(window.containsKey(3));
    }
}
