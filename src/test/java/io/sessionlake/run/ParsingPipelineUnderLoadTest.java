package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sessionlake.testing.CpuBurners;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * A slow thread is never taken for a dead one: with the reader and parsers slowed down at random points of
 * their hand-overs, on a machine kept busy by a CPU-burning neighbour, every object yields every line and
 * no spurious failure. The consumer once waited 100 ms for a chunk, then concluded that the parsers were
 * dead if none was alive, though one could have delivered the chunk and exited in between.
 */
class ParsingPipelineUnderLoadTest {
    private static final int LINES = 40;

    private static byte[] object(int n) {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= LINES; i++) {
            text.append("{\"id\": ").append(n * 1000L + i).append(", \"type\": \"page_view\", \"event\": {")
                    .append("\"customer-id\": 7, \"timestamp\": \"2022-04-01T10:00:00\"}}\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void thousandsOfObjectsWithThreadsSlowedAtRandomPointsAllSucceed() throws InterruptedException {
        runUnderLoad(1_500, 2, point -> jitter(2));
    }

    @Test
    void aParserDeliveringAroundTheConsumersOldTimeoutIsNotTakenForDead() throws InterruptedException {
        // slow chunks finish around 100 ms, when the consumer used to stop waiting and look at liveness
        runUnderLoad(120, 1, point -> {
            if (point == ParsingPipeline.Pause.Point.PARSE_CHUNK && ThreadLocalRandom.current().nextInt(3) == 0) {
                Thread.sleep(97 + ThreadLocalRandom.current().nextInt(6));
            } else {
                jitter(1);
            }
        });
    }

    private static void jitter(int maxMillis) throws InterruptedException {
        int r = ThreadLocalRandom.current().nextInt(4 * maxMillis + 4);
        if (r < 2) {
            Thread.yield();
        } else if (r < 2 + maxMillis) {
            Thread.sleep(r - 1);
        }
    }

    private static void runUnderLoad(int objects, int parsers, ParsingPipeline.Pause pause) throws InterruptedException {
        try (CpuBurners burners = CpuBurners.start("cpu-burner")) {
            assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
                for (int n = 0; n < objects; n++) {
                    long lines = 0;
                    try (ParsingPipeline p = new ParsingPipeline(new ByteArrayInputStream(object(n)), 1 << 20,
                            t -> false, "load", parsers, pause)) {
                        for (ParsingPipeline.Batch b = p.next(); b != null; b = p.next()) {
                            for (int i = 0; i < b.size; i++) {
                                assertEquals(n * 1000L + lines + 1, b.parsed[i].event().id(), "object " + n);
                                lines++;
                            }
                        }
                    }
                    assertEquals(LINES, lines, "lines of object " + n);
                }
            });
        }
    }
}
