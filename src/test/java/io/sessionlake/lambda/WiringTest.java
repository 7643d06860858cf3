package io.sessionlake.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.run.ConfigurationException;
import io.sessionlake.run.RunSettings;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The functions' settings are checked when they are built (at startup): a refused one names its variable. */
class WiringTest {

    private static SessionlakeSettings settings(String inputPrefix, int maxLineBytes) {
        return new SessionlakeSettings() {
            @Override
            public Optional<String> bucket() {
                return Optional.of("bucket");
            }

            @Override
            public String inputPrefix() {
                return inputPrefix;
            }

            @Override
            public Duration inactivity() {
                return Duration.ofMinutes(30);
            }

            @Override
            public Duration horizon() {
                return Duration.ofDays(7);
            }

            @Override
            public int maxLineBytes() {
                return maxLineBytes;
            }

            @Override
            public String parquetCodec() {
                return "SNAPPY";
            }

            @Override
            public int maxCommitAttempts() {
                return 5;
            }

            @Override
            public S3 s3() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Api api() {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static String refusal(String prefix) {
        return assertThrows(ConfigurationException.class, () -> new Wiring().runSettings(settings(prefix, 1 << 20)))
                .getMessage();
    }

    @Test
    void anEmptyInputPrefixIsRefusedNamingTheVariable() {
        assertTrue(refusal("").startsWith("configuration error: sessionlake.input-prefix (environment variable"
                + " SESSIONLAKE_INPUT_PREFIX) is empty"), refusal(""));
    }

    @Test
    void anInputPrefixWithoutTrailingSlashIsRefused() {
        assertTrue(refusal("events").contains("SESSIONLAKE_INPUT_PREFIX) 'events' does not end with '/'"),
                refusal("events"));
    }

    @Test
    void anInputPrefixOverlappingAnOutputIsRefused() {
        assertTrue(refusal("state/").contains("'state/' overlaps the output prefix state/"), refusal("state/"));
        assertTrue(refusal("runs/in/").contains("'runs/in/' overlaps the output prefix runs/"), refusal("runs/in/"));
    }

    @Test
    void aLineLimitOfZeroIsRefused() {
        String message = assertThrows(ConfigurationException.class,
                () -> new Wiring().runSettings(settings("events/", 0))).getMessage();
        assertTrue(message.startsWith("configuration error: sessionlake.max-line-bytes (environment variable"
                + " SESSIONLAKE_MAX_LINE_BYTES) is 0"), message);
    }

    @Test
    void validSettingsAreTakenAsGiven() {
        RunSettings s = new Wiring().runSettings(settings("raw/events/", 4096));
        assertEquals("raw/events/", s.inputPrefix());
        assertEquals(4096, s.maxLineBytes());
    }
}
