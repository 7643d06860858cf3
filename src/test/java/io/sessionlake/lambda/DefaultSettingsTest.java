package io.sessionlake.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sessionlake.run.RunSettings;
import java.io.InputStream;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The function's defaults (application.properties) are the CLI's (RunSettings.defaults()): a run behaves the same
 * locally and on Lambda unless a setting is changed on purpose.
 */
class DefaultSettingsTest {
    @Test
    void theFunctionsDefaultsAreTheClisDefaults() throws Exception {
        Properties p = new Properties();
        try (InputStream in = DefaultSettingsTest.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        RunSettings cli = RunSettings.defaults();
        assertEquals(cli.inputPrefix(), p.getProperty("sessionlake.input-prefix"));
        assertEquals(cli.sessions().inactivity(), Duration.parse(p.getProperty("sessionlake.inactivity")));
        assertEquals(cli.sessions().horizon(), Duration.parse(p.getProperty("sessionlake.horizon")));
        assertEquals(cli.maxLineBytes(), Integer.parseInt(p.getProperty("sessionlake.max-line-bytes")));
        assertEquals(cli.parquetCodec().name(), p.getProperty("sessionlake.parquet-codec"));
        assertEquals(cli.maxCommitAttempts(), Integer.parseInt(p.getProperty("sessionlake.max-commit-attempts")));
        // unset on both sides: the cache of state leaves sized from the heap
        assertEquals(cli.stateCacheBytes(), p.containsKey("sessionlake.state-cache-bytes")
                ? java.util.OptionalLong.of(Long.parseLong(p.getProperty("sessionlake.state-cache-bytes")))
                : java.util.OptionalLong.empty());
    }
}
