package io.sessionlake.bench;

import io.sessionlake.generator.FeedGenerator;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.session.SessionConfig;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The growth benchmark of issue 11: builds histories of several sizes (ten days of the generated feed, one object
 * per day), then times runs of 1,000-event objects (time slices of the next day thinned to 1,000 lines, so their
 * customers are spread over all ids) on each, in the same warm JVM, and on an empty history. Prints time, bytes the store read and wrote under state/ and in all,
 * and the state's size, and the CPU time of the process and of the run's own thread. Only public classes present before
 * and after issue 11, so the same source measures both.
 * Not a test; it never gates anything.
 *
 * <p>Since session 13 every probe object runs on an empty history first, then each on the history, as a warm
 * processor runs one shop's objects one after the other; {@code interleaved} runs each object on both in turn, as
 * until then, which keeps the JIT compiling the two paths (JFR: deoptimizations at every switch, the compiler
 * threads a third of the CPU on two cores).
 *
 * <pre>
 * java -Xmx6g -XX:+UseParallelGC [-Dhorizon=P1D] -cp target/sessionlake-cli.jar:target/test-classes \
 *     io.sessionlake.bench.StateGrowthBench [dir] [sizes, e.g. 100000,1000000,10000000] [probes] [interleaved]
 * </pre>
 */
public final class StateGrowthBench {
    private static final int DAYS = 10;
    /**
     * The product's settings, but for the horizon when {@code -Dhorizon=P1D} (an ISO-8601 duration) asks for another:
     * a what-if of records with fewer open sessions (the default horizon of 7 days keeps about nine per customer).
     */
    private static final RunSettings SETTINGS = RunSettings.defaults().withSessions(new SessionConfig(
            SessionConfig.DEFAULT.inactivity(), Duration.parse(System.getProperty("horizon", "P7D"))));
    /** Probes run last by processors with an empty cache. */
    private static final int COLD_PROBES = 3;
    private static final Pattern ID = Pattern.compile("^\\{\"id\": (\\d+)");

    private StateGrowthBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "growth-bench").toAbsolutePath();
        long[] sizes = java.util.Arrays.stream((args.length > 1 ? args[1] : "100000,1000000,10000000").split(","))
                .mapToLong(Long::parseLong).toArray();
        int probes = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        boolean interleaved = args.length > 3 && args[3].equals("interleaved");
        List<String> rows = new ArrayList<>();
        for (long size : sizes) {
            rows.add(measure(dir.resolve("h" + size), size, probes, interleaved));
            System.out.println();
            System.out.println("| history events | customers | empty history: ms (median) | this history: ms (median, min-max)"
                    + " | ratio | state read (last probe) | state written: median (min-max), of it the dedupe window"
                    + " | state size | live state | written / live: median (min-max), mean"
                    + " | a processor with nothing cached: ms, state read (medians)"
                    + " | CPU of the process a run, empty history / this history: ms (means), ratio"
                    + " | CPU of the thread that runs the object, empty history / this history: ms (medians), ratio |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            rows.forEach(System.out::println);
        }
    }

    private static String measure(Path root, long size, int probes, boolean interleaved) throws IOException {
        deleteTree(root);
        int customers = (int) Math.max(1, Math.round(size / (9.75 * DAYS)));
        FeedGenerator.Options d = FeedGenerator.Options.defaults();
        long g0 = System.nanoTime();
        FeedGenerator.Written history = new FeedGenerator(new FeedGenerator.Options(customers, DAYS, 1, 0, 0, 0, false, 7,
                LocalDate.of(2022, 4, 1), d.sessionsPerCustomerDay(), d.anonymousRatio())).writeTo(root.resolve("feed"));
        System.out.printf("history: %d customers, %d lines in %d objects, generated in %.1f s%n", customers,
                history.lines(), history.files().size(), (System.nanoTime() - g0) / 1e9);
        Path bucket = root.resolve("bucket");
        LocalFolderStore plain = new LocalFolderStore(bucket);
        // one processor builds the history and runs every probe, as the one warm Lambda container (reserved
        // concurrency 1) processes a shop's objects one after the other
        Counting counting = new Counting(plain);
        ObjectProcessor warm = new ObjectProcessor(counting, SETTINGS, Clock.systemUTC());
        ObjectProcessor builder = warm;
        for (Path f : history.files()) {
            String key = "events/history/" + f.getParent().getFileName() + ".jsonl";
            Files.createDirectories(bucket.resolve(key).getParent());
            Files.move(f, bucket.resolve(key));
            long t0 = System.nanoTime();
            RunReport r = builder.process(key);
            System.out.printf("  %s: %s in %.2f s%n", key, r.outcome().code(), (System.nanoTime() - t0) / 1e9);
            Files.delete(bucket.resolve(key)); // the ledger keeps it; the disk need not
        }
        // the next day, cut into time slices of about 1,000 events over all customers; ids after the history's
        int filesPerDay = (int) Math.max(1, Math.round(customers * 9.75 / 1000));
        FeedGenerator.Written next = new FeedGenerator(new FeedGenerator.Options(customers, 1, filesPerDay, 0, 0, 0,
                false, 8, LocalDate.of(2022, 4, 1).plusDays(DAYS), d.sessionsPerCustomerDay(), d.anonymousRatio()))
                .writeTo(root.resolve("next"));
        long idOffset = history.lines() + 1;
        // the next day's slices in time order, as a live shop's objects arrive: those before the busiest stretch are
        // processed whole (each run advances the watermark by one slice, so a leaf a probe reads has waited as long
        // as in a steady flow, not since the history's last day), the busiest stretch is probed
        List<Path> slices = next.files(); // in time order, as the generator wrote them
        int window = Math.min(probes + 2 + COLD_PROBES, slices.size());
        int start = busiestStretch(slices, window);
        long t0 = System.nanoTime();
        long fedLines = 0;
        for (int i = 0; i < start; i++) {
            String key = "events/next/slice-" + i + ".jsonl";
            byte[] object = renumbered(slices.get(i), idOffset, Integer.MAX_VALUE);
            fedLines += lineCount(object);
            Files.createDirectories(bucket.resolve(key).getParent());
            Files.write(bucket.resolve(key), object);
            RunReport r = warm.process(key);
            if (!"succeeded".equals(r.outcome().code())) {
                throw new IllegalStateException(key + ": " + r.outcome().code());
            }
            Files.delete(bucket.resolve(key));
        }
        System.out.printf("next day: %d slices before the busiest stretch processed in order (%d lines) in %.1f s%n",
                start, fedLines, (System.nanoTime() - t0) / 1e9);
        // the busiest stretch, each slice thinned to about 1,000 lines: a short time slice of a busy shop, where
        // every active customer has an event or two
        List<Path> probeFiles = new ArrayList<>(slices.subList(start, start + window - COLD_PROBES));
        List<Path> coldFiles = slices.subList(start + window - COLD_PROBES, start + window);
        List<Double> empty = new ArrayList<>();
        List<Double> onHistory = new ArrayList<>();
        List<Double> emptyCpu = new ArrayList<>();
        List<Double> historyCpu = new ArrayList<>();
        List<Double> emptyThreadCpu = new ArrayList<>();
        List<Double> historyThreadCpu = new ArrayList<>();
        List<Long> stateWritten = new ArrayList<>();
        List<Long> idsWritten = new ArrayList<>();
        List<Double> writtenShare = new ArrayList<>();
        String lastRead = "";
        long lastSize = 0;
        // each object on an empty history first, then each on the history (or, interleaved, one after the other)
        EmptyRun[] emptyRuns = new EmptyRun[probeFiles.size()];
        if (!interleaved) {
            for (int i = 0; i < probeFiles.size(); i++) {
                emptyRuns[i] = onEmptyHistory(root, i, renumbered(probeFiles.get(i), idOffset, 1000));
            }
        }
        for (int i = 0; i < probeFiles.size(); i++) {
            String key = "events/next/probe-" + i + ".jsonl";
            byte[] object = renumbered(probeFiles.get(i), idOffset, 1000);
            if (interleaved) {
                emptyRuns[i] = onEmptyHistory(root, i, object);
            }
            double emptyMs = emptyRuns[i].ms();
            RunReport emptyRun = emptyRuns[i].report();
            // on the history
            Files.createDirectories(bucket.resolve(key).getParent());
            Files.write(bucket.resolve(key), object);
            counting.reset();
            double cpu0 = processCpuMs();
            double threadCpu0 = threadCpuMs();
            t0 = System.nanoTime();
            RunReport r = warm.process(key);
            double ms = (System.nanoTime() - t0) / 1e6;
            double threadCpuMs = threadCpuMs() - threadCpu0;
            double cpuMs = processCpuMs() - cpu0;
            long stateSize = r.stateSizeBytes(); // what the committed state is made of (retired leaves wait to go)
            System.out.printf("  probe %d: %d lines, %s; empty history %.0f ms (CPU %.0f ms, its thread %.1f ms), this history %.0f ms (CPU %.0f ms, its thread %.1f ms);"
                    + " state read %d B in %d GETs,"
                    + " written %d B in %d PUTs; all read %d B, written %d B; state size %d B; timings %s; empty history's %s%n", i,
                    r.counts() == null ? 0 : r.counts().lines(), r.outcome().code(), emptyMs, emptyRuns[i].cpuMs(),
                    emptyRuns[i].threadCpuMs(), ms, cpuMs, threadCpuMs, counting.stateRead.get(),
                    counting.stateGets.get(), counting.stateWritten.get(), counting.statePuts.get(), counting.read.get(), counting.written.get(), stateSize,
                    r.timingsMillis(), emptyRun.timingsMillis());
            if (i < 2) {
                continue; // warm-up of this size's code paths
            }
            empty.add(emptyMs);
            onHistory.add(ms);
            emptyCpu.add(emptyRuns[i].cpuMs());
            historyCpu.add(cpuMs);
            emptyThreadCpu.add(emptyRuns[i].threadCpuMs());
            historyThreadCpu.add(threadCpuMs);
            stateWritten.add(counting.stateWritten.get());
            idsWritten.add(counting.idsWritten.get());
            lastRead = mb(counting.stateRead.get()) + " in " + counting.stateGets.get() + " GETs";
            lastSize = stateSize;
        }
        // the live state once, after the probes: loading it between them (its base decoded, 59,000 leaves at 10M
        // events) put that code's JIT compilations and garbage into the next probe's time; it moves by a few tenths
        // of a percent over the probes
        long live = liveStateBytes(plain);
        for (long written : stateWritten) {
            writtenShare.add(100.0 * written / Math.max(1, live));
        }
        // the last probe's reads and sizes; what a run writes varies with compaction, so its median and range
        String last = String.format("%s | %s (%s-%s), dedupe window %s | %s | %s | %.1f%% (%.1f-%.1f%%), mean %.1f%%",
                lastRead, mb(median(stateWritten)),
                mb(Collections.min(stateWritten)), mb(Collections.max(stateWritten)), mb(median(idsWritten)),
                mb(lastSize), mb(live), median(writtenShare), Collections.min(writtenShare),
                Collections.max(writtenShare), writtenShare.stream().mapToDouble(Double::doubleValue).average().orElse(0));
        System.out.printf("  live state after the probes: %d B%n", live);
        // then processors with nothing cached, as a new container or one after another writer finds the state (the JVM
        // is warm: this is the reading, not the JIT)
        List<Double> coldMs = new ArrayList<>();
        List<Long> coldRead = new ArrayList<>();
        List<Long> coldGets = new ArrayList<>();
        for (int i = 0; i < coldFiles.size(); i++) {
            String key = "events/next/cold-" + i + ".jsonl";
            Files.write(bucket.resolve(key), renumbered(coldFiles.get(i), idOffset, 1000));
            counting.reset();
            long c0 = System.nanoTime();
            RunReport r = new ObjectProcessor(counting, SETTINGS, Clock.systemUTC()).process(key);
            coldMs.add((System.nanoTime() - c0) / 1e6);
            coldRead.add(counting.stateRead.get());
            coldGets.add(counting.stateGets.get());
            System.out.printf("  cold %d: %s in %.0f ms; state read %d B in %d GETs%n", i, r.outcome().code(),
                    coldMs.get(i), coldRead.get(i), coldGets.get(i));
        }
        if (!coldMs.isEmpty()) {
            last += String.format(" | %.0f ms, %s in %d GETs", median(coldMs), mb(median(coldRead)), median(coldGets));
        }
        // means: the process's CPU time advances in ticks of 10 ms here, which a mean over the probes averages out
        double emptyCpuMean = emptyCpu.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double historyCpuMean = historyCpu.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        last += String.format(" | %.1f / %.1f, %.1fx", emptyCpuMean, historyCpuMean, historyCpuMean / emptyCpuMean);
        // the thread that runs the object: its clock has nanoseconds, and it leaves out the JIT compiler, the collector
        // and the other threads of the run (reading and parsing the object, the Parquet writers, leaf reads), with
        // which the process's swings
        double emptyThread = median(emptyThreadCpu);
        double historyThread = median(historyThreadCpu);
        last += String.format(" | %.1f / %.1f, %.1fx", emptyThread, historyThread, historyThread / emptyThread);
        Collections.sort(empty);
        Collections.sort(onHistory);
        double e = empty.get(empty.size() / 2);
        double h = onHistory.get(onHistory.size() / 2);
        return String.format("| %,d | %,d | %.0f | %.0f (%.0f-%.0f) | %.1fx | %s |", history.lines(), customers, e, h,
                onHistory.get(0), onHistory.get(onHistory.size() - 1), h / e, last).replace("| |", "|");
    }

    /**
     * The state a run reads from: the manifest and the leaves it names. The state size of the report also counts the
     * replaced leaves still in the same packs (up to two bytes for each live one, until compaction empties a pack).
     */
    private static long liveStateBytes(ObjectStore store) throws IOException {
        long manifest = store.stat(io.sessionlake.run.Layout.STATE_KEY).orElseThrow().size();
        return manifest + new io.sessionlake.run.StateRepository(store).load(io.sessionlake.session.SessionConfig.DEFAULT)
                .state().storedLeafBytes();
    }

    private static <T extends Comparable<T>> T median(List<T> values) {
        List<T> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String mb(long bytes) {
        return bytes < 1 << 20 ? String.format("%.0f KB", bytes / 1024.0) : String.format("%.1f MB", bytes / 1048576.0);
    }

    /**
     * About {@code lines} lines of the object, evenly spread over it, with every event id moved past the history's
     * so that none is a duplicate of it.
     */
    private static byte[] renumbered(Path file, long offset, int lines) throws IOException {
        long total;
        try (var s = Files.lines(file)) {
            total = s.count();
        }
        long every = Math.max(1, total / lines);
        StringBuilder out = new StringBuilder();
        long n = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (n++ % every != 0) {
                    continue;
                }
                Matcher m = ID.matcher(line);
                out.append(m.find() ? "{\"id\": " + (Long.parseLong(m.group(1)) + offset) + line.substring(m.end()) : line)
                        .append('\n');
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The first of the {@code window} consecutive slices with the most bytes. */
    private static int busiestStretch(List<Path> slices, int window) {
        long[] sizes = slices.stream().mapToLong(f -> f.toFile().length()).toArray();
        int best = 0;
        long bestSum = -1;
        for (int i = 0; i + window <= sizes.length; i++) {
            long sum = 0;
            for (int j = i; j < i + window; j++) {
                sum += sizes[j];
            }
            if (sum > bestSum) {
                bestSum = sum;
                best = i;
            }
        }
        return best;
    }

    private static long lineCount(byte[] object) {
        long n = 0;
        for (byte b : object) {
            n += b == '\n' ? 1 : 0;
        }
        return n;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var paths = Files.walk(p)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }

    /** A probe object's run on an empty history: how long it took (without building its processor), and its report. */
    private record EmptyRun(double ms, double cpuMs, double threadCpuMs, RunReport report) {
    }

    /**
     * CPU time of the calling thread so far, in milliseconds from a clock of nanoseconds: the run's own work
     * (sessionizing, sealing, the commit), not the reading and parsing of the object, which other threads do.
     */
    private static double threadCpuMs() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e6;
    }

    /**
     * CPU time of the whole process so far (every thread: the run's, the Parquet writers', the leaf I/O pool, the
     * collector and the JIT compiler). On this shared 2-core machine wall times swing by a third from one round to the
     * next; the CPU a run costs swings less, and it is what a busier machine or a smaller Lambda would pay.
     */
    private static double processCpuMs() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e6;
    }

    /** A probe object on an empty history, in a bucket of its own. */
    private static EmptyRun onEmptyHistory(Path root, int i, byte[] object) throws IOException {
        String key = "events/next/probe-" + i + ".jsonl";
        Path emptyBucket = root.resolve("empty-" + i);
        Files.createDirectories(emptyBucket.resolve(key).getParent());
        Files.write(emptyBucket.resolve(key), object);
        // through the same store classes as the history's runs: with another class there, each switch between the two
        // sent the JIT-compiled run loop back to the interpreter (JFR: class_check deoptimizations in
        // RunAttempt.readObject at every probe), a cost of the bench, not of either run
        ObjectProcessor emptyProcessor = new ObjectProcessor(new Counting(new LocalFolderStore(emptyBucket)),
                SETTINGS, Clock.systemUTC());
        double cpu0 = processCpuMs();
        double threadCpu0 = threadCpuMs();
        long t0 = System.nanoTime();
        RunReport run = emptyProcessor.process(key);
        double threadCpu = threadCpuMs() - threadCpu0;
        return new EmptyRun((System.nanoTime() - t0) / 1e6, processCpuMs() - cpu0, threadCpu, run);
    }

    /** Counts the bytes read and written through a store, in all and under state/ (a store with no hook otherwise). */
    private static final class Counting extends io.sessionlake.testing.InterceptingStore {
        final ObjectStore inner;
        final AtomicLong read = new AtomicLong();
        final AtomicLong written = new AtomicLong();
        final AtomicLong stateRead = new AtomicLong();
        final AtomicLong stateWritten = new AtomicLong();
        final AtomicLong stateGets = new AtomicLong();
        final AtomicLong statePuts = new AtomicLong();
        final AtomicLong idsWritten = new AtomicLong();

        Counting(ObjectStore inner) {
            super(inner, key -> { });
            this.inner = inner;
        }

        void reset() {
            for (AtomicLong c : List.of(read, written, stateRead, stateWritten, stateGets, statePuts, idsWritten)) {
                c.set(0);
            }
        }

        private void countGet(String key) {
            if (key.startsWith("state/")) {
                stateGets.incrementAndGet();
            }
        }

        private void countPut(String key) {
            if (key.startsWith("state/")) {
                statePuts.incrementAndGet();
            }
        }

        private void countRead(String key, long n) {
            read.addAndGet(n);
            if (key.startsWith("state/")) {
                stateRead.addAndGet(n);
            }
        }

        private void countWritten(String key, long n) {
            written.addAndGet(n);
            if (key.startsWith("state/")) {
                stateWritten.addAndGet(n);
            }
            if (key.startsWith("state/ids/")) {
                idsWritten.addAndGet(n);
            }
        }

        @Override
        public InputStream open(String key) throws IOException {
            countGet(key);
            return new FilterInputStream(inner.open(key)) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        countRead(key, 1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = super.read(buf, off, len);
                    if (n > 0) {
                        countRead(key, n);
                    }
                    return n;
                }
            };
        }

        @Override
        public Optional<StoredBytes> read(String key) throws IOException {
            countGet(key);
            Optional<StoredBytes> b = inner.read(key);
            b.ifPresent(x -> countRead(key, x.bytes().length));
            return b;
        }

        @Override
        public Optional<byte[]> readRange(String key, long offset, int length) throws IOException {
            countGet(key);
            Optional<byte[]> b = inner.readRange(key, offset, length);
            b.ifPresent(x -> countRead(key, x.length));
            return b;
        }

        @Override
        public void put(String key, byte[] bytes, String contentType) throws IOException {
            inner.put(key, bytes, contentType);
            countPut(key);
            countWritten(key, bytes.length);
        }

        @Override
        public void put(String key, Path file, String contentType) throws IOException {
            inner.put(key, file, contentType);
            countPut(key);
            countWritten(key, Files.size(file));
        }

        @Override
        public String putIfUnchanged(String key, byte[] bytes, String expectedEtag, String contentType)
                throws IOException {
            String etag = inner.putIfUnchanged(key, bytes, expectedEtag, contentType);
            countPut(key);
            countWritten(key, bytes.length);
            return etag;
        }
    }
}
