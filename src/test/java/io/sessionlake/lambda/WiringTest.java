package io.sessionlake.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.run.ConfigurationException;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.testing.InterceptingStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The functions' settings are checked when they are built (at startup): a refused one names its variable. */
class WiringTest {

    private static SessionlakeSettings settings(String inputPrefix, int maxLineBytes) {
        return settings(inputPrefix, maxLineBytes, Optional.empty());
    }

    private static SessionlakeSettings settings(String inputPrefix, int maxLineBytes, Optional<Long> stateCacheBytes) {
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
            public Optional<Long> stateCacheBytes() {
                return stateCacheBytes;
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
    void aNegativeStateCacheIsRefusedNamingTheVariable() {
        String message = assertThrows(ConfigurationException.class,
                () -> new Wiring().runSettings(settings("events/", 1 << 20, Optional.of(-1L)))).getMessage();
        assertTrue(message.startsWith("configuration error: sessionlake.state-cache-bytes (environment variable"
                + " SESSIONLAKE_STATE_CACHE_BYTES) is -1"), message);
    }

    @Test
    void aStateCacheSizeIsTakenAsGivenAndUnsetMeansSizedFromTheHeap() {
        assertEquals(OptionalLong.empty(), new Wiring().runSettings(settings("events/", 1 << 20)).stateCacheBytes());
        assertEquals(OptionalLong.of(1_000_000),
                new Wiring().runSettings(settings("events/", 1 << 20, Optional.of(1_000_000L))).stateCacheBytes());
    }

    /** Two runs of the function's processor: the second reads the leaves the first wrote, from the store or not. */
    private static List<String> rangeReadsOfASecondRun(Path bucket, Optional<Long> stateCacheBytes) throws IOException {
        List<String> ranges = java.util.Collections.synchronizedList(new ArrayList<>());
        ObjectStore store = new InterceptingStore(new LocalFolderStore(bucket), k -> { }) {
            @Override
            public Optional<byte[]> readRange(String key, long offset, int length) throws IOException {
                ranges.add(key);
                return super.readRange(key, offset, length);
            }
        };
        String event = "{\"id\": %d, \"type\": \"page_view\", \"event\": {\"customer-id\": 7,"
                + " \"timestamp\": \"2022-04-20T10:0%d:00\", \"page\": \"/p\"}}\n";
        for (int i = 1; i <= 2; i++) {
            store.put("events/" + i + ".jsonl", String.format(event, i, i).getBytes(StandardCharsets.UTF_8),
                    "application/x-ndjson");
        }
        Wiring wiring = new Wiring();
        ObjectProcessor processor = wiring.processor(store,
                wiring.runSettings(settings("events/", 1 << 20, stateCacheBytes)));
        assertEquals(RunReport.Outcome.SUCCEEDED, processor.process("events/1.jsonl").outcome());
        ranges.clear();
        RunReport second = processor.process("events/2.jsonl");
        assertEquals(RunReport.Outcome.SUCCEEDED, second.outcome(), second.error());
        return ranges;
    }

    @Test
    void aStateCacheOfZeroMakesEveryRunReadItsLeavesFromTheStore(@TempDir Path tmp) throws IOException {
        assertEquals(List.of(), rangeReadsOfASecondRun(tmp.resolve("cached"), Optional.empty()),
                "by default the leaves the first run wrote are in the cache");
        List<String> uncached = rangeReadsOfASecondRun(tmp.resolve("uncached"), Optional.of(0L));
        assertEquals(2, uncached.size(), "a customer leaf and an id leaf: " + uncached);
        assertTrue(uncached.stream().allMatch(k -> k.startsWith("state/")), uncached.toString());
    }

    @Test
    void validSettingsAreTakenAsGiven() {
        RunSettings s = new Wiring().runSettings(settings("raw/events/", 4096));
        assertEquals("raw/events/", s.inputPrefix());
        assertEquals(4096, s.maxLineBytes());
    }
}
