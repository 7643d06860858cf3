package io.sessionlake.lambda;

import io.quarkus.runtime.Startup;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.LocalFolderStore;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs the whole pipeline once when the processor starts, on a three-line object in a scratch folder: the
 * first real object otherwise pays for loading and initialising the Parquet, Hadoop codec, state and JSON
 * paths. The work moves into Lambda's init phase, before the first event (and into the snapshot, once
 * SnapStart is on). Nothing of the bucket is read or written.
 */
@Singleton
@Startup
public class Priming {
    private static final Logger LOG = Logger.getLogger(Priming.class);
    /** A page view, a search and an order of one customer: every column and both tables get a value. */
    private static final String OBJECT = """
            {"id": 1, "type": "page_view", "event": {"customer-id": 1, "timestamp": "2022-04-01T10:00:00.000000", \
            "user-agent": "priming", "ip": "10.0.0.1", "page": "https://example.com/", "referrer": "https://www.example.org/"}}
            {"id": 2, "type": "search", "event": {"customer-id": 1, "timestamp": "2022-04-01T10:01:00", "query": "lamp"}}
            {"id": 3, "type": "placed_order", "event": {"customer-id": 1, "timestamp": "2022-04-01T10:02:00+00:00"}}
            """;

    private final RunSettings settings;
    private final String handler;
    /** The priming run's report; null when this function does not prime or the run could not start. */
    private volatile RunReport report;

    Priming(RunSettings settings, @ConfigProperty(name = "quarkus.lambda.handler") String handler) {
        this.settings = settings;
        this.handler = handler;
    }

    @PostConstruct
    void prime() {
        if (!"s3-events".equals(handler)) {
            return; // the API's first answers (health, metrics) use none of it; a POST /runs pays its own way
        }
        long t0 = System.nanoTime();
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("sessionlake-priming-");
            Path object = scratch.resolve(settings.inputPrefix()).resolve("priming.jsonl");
            Files.createDirectories(object.getParent());
            Files.writeString(object, OBJECT, StandardCharsets.UTF_8);
            report = new ObjectProcessor(new LocalFolderStore(scratch), settings, Clock.systemUTC())
                    .process(settings.inputPrefix() + "priming.jsonl");
            if (report.outcome() != RunReport.Outcome.SUCCEEDED) {
                // the function still starts: priming only saves time, a real run reports its own failure
                LOG.warnf("priming run did not succeed: %s", report.error());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("priming failed (the first object pays for the start-up instead): %s", e.toString());
        } finally {
            deleteQuietly(scratch);
        }
        LOG.debugf("primed in %d ms", (System.nanoTime() - t0) / 1_000_000);
    }

    /** What the priming run did, for tests and diagnosis; null when it did not run. */
    public RunReport report() {
        return report;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.debugf("priming scratch folder %s not removed: %s", dir, e);
        }
    }
}
