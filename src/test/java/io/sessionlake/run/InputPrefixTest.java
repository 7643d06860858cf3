package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** An input prefix that would make outputs or the private state inputs is a configuration error. */
class InputPrefixTest {
    private static final RunSettings D = RunSettings.defaults();

    private static ConfigurationException refused(String prefix) {
        return assertThrows(ConfigurationException.class, () -> new RunSettings(prefix, D.sessions(), D.maxLineBytes(),
                D.parquetCodec(), D.maxCommitAttempts()), prefix);
    }

    @Test
    void anEmptyPrefixIsRefused() {
        assertEquals("configuration error: the input prefix is empty: every key of the bucket would be an input,"
                + " the outputs and the private state too; set a folder such as events/", refused("").getMessage());
        assertThrows(ConfigurationException.class, () -> Layout.checkInputPrefix(null, "x"));
    }

    @Test
    void aPrefixWithoutTrailingSlashIsRefused() {
        assertEquals("configuration error: the input prefix 'events' does not end with '/': it would also match keys"
                + " such as events-other/...; set 'events/'", refused("events").getMessage());
    }

    @Test
    void aPrefixOverlappingAnyOutputPrefixIsRefused() {
        for (String output : Layout.OUTPUT_PREFIXES) {
            assertTrue(refused(output).getMessage().contains("overlaps the output prefix " + output), output);
            assertTrue(refused(output + "incoming/").getMessage().contains("overlaps the output prefix " + output),
                    output);
        }
    }

    @Test
    void foldersOutsideTheOutputsAreAccepted() {
        for (String prefix : new String[] {"events/", "raw/events/", "state-input/", "session/", "in/state/"}) {
            assertEquals(prefix, new RunSettings(prefix, D.sessions(), D.maxLineBytes(), D.parquetCodec(),
                    D.maxCommitAttempts()).inputPrefix());
        }
    }

    @Test
    void aLineLimitOutsideOneByteTo64MiBIsRefused() {
        for (int max : new int[] {0, -1, (64 << 20) + 1}) {
            ConfigurationException e = assertThrows(ConfigurationException.class, () -> new RunSettings("events/",
                    D.sessions(), max, D.parquetCodec(), D.maxCommitAttempts()));
            assertTrue(e.getMessage().startsWith("configuration error: max-line-bytes is " + max), e.getMessage());
        }
        assertEquals(64 << 20, new RunSettings("events/", D.sessions(), 64 << 20, D.parquetCodec(),
                D.maxCommitAttempts()).maxLineBytes());
    }

    @Test
    void aNegativeStateCacheIsRefusedAndZeroIsNoCache() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> D.withStateCacheBytes(-1));
        assertTrue(e.getMessage().startsWith("configuration error: state-cache-bytes is -1"), e.getMessage());
        assertEquals(java.util.OptionalLong.of(0), D.withStateCacheBytes(0).stateCacheBytes());
        assertEquals(java.util.OptionalLong.empty(), D.stateCacheBytes(), "by default sized from the heap");
    }
}
