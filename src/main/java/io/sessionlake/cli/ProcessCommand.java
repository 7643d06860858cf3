package io.sessionlake.cli;

import io.sessionlake.feed.Timestamps;
import io.sessionlake.run.ConfigurationException;
import io.sessionlake.run.Layout;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.session.SessionConfig;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code process}: every input object not yet in the ledger, in key order, each as its own run exactly
 * as one S3 event would trigger it. Exit code 1 when any object failed.
 */
final class ProcessCommand {
    private ProcessCommand() {
    }

    static int run(Args args, PrintStream out) throws IOException {
        Path bucket = Path.of(args.required("bucket"));
        RunSettings defaults = RunSettings.defaults();
        SessionConfig config = new SessionConfig(
                args.duration("inactivity", defaults.sessions().inactivity()),
                args.duration("horizon", defaults.sessions().horizon()));
        String prefix = args.optional("input-prefix", defaults.inputPrefix());
        boolean cacheGiven = args.optional("state-cache-bytes", null) != null;
        long cacheBytes = args.longValue("state-cache-bytes", 0);
        args.rejectUnknown();
        RunSettings settings = defaults.withSessions(config);
        try {
            Layout.checkInputPrefix(prefix, "--input-prefix");
            settings = settings.withInputPrefix(prefix);
            if (cacheGiven) {
                settings = settings.withStateCacheBytes(
                        RunSettings.checkStateCacheBytes(cacheBytes, "--state-cache-bytes"));
            }
        } catch (ConfigurationException e) {
            throw new Args.UsageException("process: " + e.getMessage());
        }
        if (!Files.isDirectory(bucket)) {
            throw new Args.UsageException("process: bucket folder " + bucket + " does not exist");
        }
        return processAll(new LocalFolderStore(bucket), settings, out)
                .stream().anyMatch(r -> r.outcome() == RunReport.Outcome.FAILED) ? 1 : 0;
    }

    static List<RunReport> processAll(ObjectStore store, RunSettings settings, PrintStream out) throws IOException {
        Layout layout = new Layout(settings.inputPrefix());
        ObjectProcessor processor = new ObjectProcessor(store, settings, Clock.systemUTC());
        List<ObjectStore.ObjectInfo> inputs = store.list(settings.inputPrefix()).stream()
                .filter(o -> layout.isInput(o.key())).toList();
        if (inputs.isEmpty()) {
            out.println("no objects under " + settings.inputPrefix() + " in " + store.location());
        }
        List<RunReport> reports = new ArrayList<>();
        for (ObjectStore.ObjectInfo o : inputs) {
            RunReport r = processor.process(o.key());
            reports.add(r);
            out.println(summaryLine(r));
        }
        return reports;
    }

    static String summaryLine(RunReport r) {
        StringBuilder b = new StringBuilder();
        b.append(r.key()).append(": ").append(r.outcome().code());
        if (r.counts() != null) {
            b.append(String.format(" lines=%d accepted=%d anonymous=%d duplicate=%d late=%d rejected=%d",
                    r.counts().lines(), r.counts().accepted(), r.counts().anonymous(), r.counts().duplicate(),
                    r.counts().late(), r.counts().rejected()));
            b.append(String.format(" sessions=%d tombstones=%d", r.sessionRevisions(), r.sessionTombstones()));
        }
        if (r.watermarkAfter() != Long.MIN_VALUE) {
            b.append(" watermark=").append(Timestamps.format(r.watermarkAfter()));
        }
        if (r.timingsMillis().containsKey("total")) {
            b.append(" ms=").append(r.timingsMillis().get("total"));
        }
        if (r.error() != null) {
            b.append("\n  cause: ").append(r.cause() == null ? "unknown" : r.cause().code())
                    .append(r.retryable() ? " (retryable: process the object again)" : " (not retryable)");
            if (r.exception() != null) {
                b.append(" exception: ").append(r.exception());
            }
            b.append("\n  error: ").append(r.error());
        }
        for (String w : r.warnings()) {
            b.append("\n  warning: ").append(w);
        }
        return b.toString();
    }
}
