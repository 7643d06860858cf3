package io.sessionlake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tripwire for the memory goal (a 1 GB object in a 512 MiB heap, measured by the benchmark): one
 * million events, one object, in a 256 MiB heap. It ran in 176 MiB when written (2026-11-25), so a change
 * that makes runs much hungrier fails here instead of in the next benchmark. Pass or fail, never timed.
 */
class MemoryCeilingIT {
    @TempDir
    Path tmp;

    @Test
    void aMillionEventObjectRunsIn256MiB() throws Exception {
        Path jar = Path.of("target", "sessionlake-cli.jar").toAbsolutePath();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString(), "bench", "--events", "1000000", "--dir", tmp.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the benchmark did not finish in time");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("run 1: succeeded; 998066 lines"), out);
    }
}
