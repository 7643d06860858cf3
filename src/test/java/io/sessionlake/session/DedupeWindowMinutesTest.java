package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
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
        DedupeWindow window = new DedupeWindow(List.of(), Map.of(), LeafSource.NONE);
        long cutoff = 1_650_448_846_290_271L;
        int none = Integer.MIN_VALUE;
        assertTrue(window.putUnlessAtLeast(1, SessionState.minuteOf(cutoff), none));
        assertTrue(window.putUnlessAtLeast(2, SessionState.minuteOf(cutoff - MINUTE), none));
        assertTrue(window.putUnlessAtLeast(3, SessionState.minuteOf(cutoff + 1), none));
        int floor = SessionState.minuteOf(cutoff);
        assertFalse(window.putUnlessAtLeast(1, floor, floor), "at the cutoff: still in the window");
        assertTrue(window.putUnlessAtLeast(2, floor, floor), "a minute before: out of it, recorded anew");
        assertFalse(window.putUnlessAtLeast(3, floor, floor));
    }
}
