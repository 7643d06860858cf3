package io.sessionlake.cli;

import io.sessionlake.generator.FeedGenerator;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.LocalFolderStore;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;

/**
 * {@code bench}: generates about N events as one input object, then times one {@code process} run of it
 * and reads the peak heap. Prints figures; it never fails on a number. Run it with the -Xmx you want to prove.
 */
final class BenchCommand {
    private BenchCommand() {
    }

    static int run(Args args, PrintStream out) throws IOException {
        long events = args.longValue("events", 1_000_000);
        long runs = args.longValue("runs", 1);
        Path dir = Path.of(args.optional("dir", "bench-out")).toAbsolutePath();
        boolean gzip = args.flag("gzip");
        args.rejectUnknown();
        Path feed = dir.resolve("feed");
        deleteTree(feed);
        FeedGenerator.Options d = FeedGenerator.Options.defaults();
        // about 9.75 events per customer and day with the default shape
        int customers = (int) Math.max(1, Math.round(events / 9.75));
        FeedGenerator.Options o = new FeedGenerator.Options(customers, 1, 1, 0, 0, 0, gzip, 7,
                LocalDate.of(2022, 4, 1), d.sessionsPerCustomerDay(), d.anonymousRatio());
        long g0 = System.nanoTime();
        FeedGenerator.Written w = new FeedGenerator(o).writeTo(feed);
        Path object = w.files().get(0);
        out.printf("generated %d lines, %d bytes, in %.1f s: %s%n", w.lines(), Files.size(object),
                (System.nanoTime() - g0) / 1e9, object);
        String key = "events/" + feed.relativize(object).toString().replace('\\', '/');

        boolean allSucceeded = true;
        java.util.List<Double> rates = new java.util.ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            // each run starts from an empty bucket, as the first object of a new deployment would
            Path bucket = dir.resolve("bucket");
            deleteTree(bucket);
            Files.createDirectories(bucket.resolve(key).getParent());
            Files.copy(object, bucket.resolve(key));
            System.gc();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            ObjectProcessor processor = new ObjectProcessor(new LocalFolderStore(bucket), RunSettings.defaults(),
                    Clock.systemUTC());
            HeapSampler sampler = new HeapSampler();
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            RunReport r = processor.process(key);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
            long sampledPeak = sampler.stop();
            long peakHeap = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peakHeap += pool.getPeakUsage().getUsed();
                }
            }
            long lines = r.counts() == null ? 0 : r.counts().lines();
            out.printf("run %d: %s; %d lines in %.2f s = %.0f lines/s; heap used at most %.0f MiB (sampled every"
                    + " 20 ms; sum of pool peaks %.0f MiB), max heap %d MiB%n", run, r.outcome().code(), lines, seconds,
                    lines / seconds, sampledPeak / 1048576.0, peakHeap / 1048576.0,
                    Runtime.getRuntime().maxMemory() / 1048576);
            out.printf("  CPU %.2f s over %.2f s: %.2f of %d cores busy on average (GC included)%n", cpuSeconds,
                    seconds, cpuSeconds / seconds, Runtime.getRuntime().availableProcessors());
            out.println("  timings (ms): " + r.timingsMillis());
            if (r.error() != null) {
                out.println("  error: " + r.error());
            }
            allSucceeded &= r.outcome() == RunReport.Outcome.SUCCEEDED;
            rates.add(lines / seconds);
        }
        if (rates.size() >= 3) {
            // the first run pays for class loading and JIT compilation; later ones show the steady state
            java.util.List<Double> warm = new java.util.ArrayList<>(rates.subList(rates.size() / 2, rates.size()));
            java.util.Collections.sort(warm);
            out.printf("summary: first run %.0f lines/s; runs %d-%d (warm) median %.0f lines/s, best %.0f lines/s%n",
                    rates.get(0), rates.size() / 2 + 1, rates.size(), warm.get(warm.size() / 2),
                    warm.get(warm.size() - 1));
        }
        return allSucceeded ? 0 : 1;
    }

    /** Polls heap use while a run goes on; the highest reading is the figure a -Xmx must leave room for. */
    private static final class HeapSampler {
        private volatile boolean running = true;
        private volatile long peak;
        private final Thread thread;

        HeapSampler() {
            thread = new Thread(() -> {
                Runtime rt = Runtime.getRuntime();
                while (running) {
                    peak = Math.max(peak, rt.totalMemory() - rt.freeMemory());
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        long stop() {
            running = false;
            thread.interrupt();
            return peak;
        }
    }

    /** CPU time of the whole JVM, all threads and the collector; -1 where the JVM does not tell. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var paths = Files.walk(p)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
