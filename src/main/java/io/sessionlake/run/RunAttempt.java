package io.sessionlake.run;

import io.sessionlake.feed.Event;
import io.sessionlake.feed.EventTypes;
import io.sessionlake.feed.ParsedLine;
import io.sessionlake.feed.RejectReason;
import io.sessionlake.feed.Timestamps;
import io.sessionlake.parquet.PartitionedFiles;
import io.sessionlake.parquet.Tables;
import io.sessionlake.session.IncrementalRun;
import io.sessionlake.session.SessionRevision;
import io.sessionlake.session.SessionState;
import io.sessionlake.session.StateSeal;
import io.sessionlake.store.ObjectStore;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipException;

/**
 * One attempt at one object: stream its lines into the sessionizer, account for every line, write the
 * session revisions, clean events and rejected lines as local files, and upload them under the run's
 * deterministic names. It changes the state it is given and encodes it (and the metrics) for the commit,
 * overlapping that with the Parquet encoding, but commits nothing; {@link ObjectProcessor} does.
 */
final class RunAttempt {
    private static final String PARQUET = "application/vnd.apache.parquet";
    /**
     * Below this heap a run trades speed for room (a 1 GB object must run in 512 MiB): the end of the run,
     * when the state is at its largest, goes one step at a time (Parquet writers, then the state's two sections, then the metrics, which build every
     * session once more) instead of all at once.
     */
    private static final long CONCURRENCY_MIN_HEAP = 1L << 30;

    private final ObjectStore store;
    private final RunSettings settings;
    private final MetricsPublisher metrics;
    private final StateLeaves leaves;

    RunAttempt(ObjectStore store, RunSettings settings, MetricsPublisher metrics, StateLeaves leaves) {
        this.store = store;
        this.settings = settings;
        this.metrics = metrics;
        this.leaves = leaves;
    }

    /** The attempt's state is committed: what it replaced is of no further use to this processor. */
    void committed(Result a) {
        leaves.committed(a.sealed);
    }

    /** Called once an attempt knows every key it will write, before it writes any. */
    interface BeforeUploads {
        void announce(Result planned) throws IOException;
    }

    /**
     * One pass over the object into local files, then the uploads; nothing is committed here. The keys are
     * announced before the first upload, so an attempt that dies half way has named everything it wrote.
     */
    Result run(String key, String etag, String runId, SessionState state, BeforeUploads beforeUploads)
            throws IOException {
        Path tmp = Files.createTempDirectory("sessionlake-run-");
        try {
            Result a = new Result();
            IncrementalRun run = new IncrementalRun(state);
            long revision = run.revision();
            long tRead = System.nanoTime();
            boolean roomy = Runtime.getRuntime().maxMemory() >= CONCURRENCY_MIN_HEAP;
            PartitionedFiles<Event> events = new PartitionedFiles<>(Tables.cleanEvents(settings.parquetCodec()), tmp,
                    "events", e -> Timestamps.utcEpochDay(e.timeMicros()));
            PartitionedFiles<SessionRevision> sessions = new PartitionedFiles<>(
                    Tables.sessionRevisions(settings.parquetCodec()), tmp, "sessions",
                    r -> Timestamps.utcEpochDay(r.session().startMicros()));
            Path rejectedFile;
            Map<LocalDate, Path> sessionFiles;
            try (RejectedLines rejected = new RejectedLines(tmp.resolve("rejected.jsonl"), key);
                    BackgroundWriter<Event> ev = new BackgroundWriter<>(events, "events-" + key)) {
                readObject(key, run, a.counts, ev, rejected);
                ev.endOfRows();
                rejectedFile = rejected.finish();
                a.timings.put("read_and_sessionize", ObjectProcessor.millisSince(tRead));
                long tChanges = System.nanoTime();
                try (BackgroundWriter<SessionRevision> ss = new BackgroundWriter<>(sessions, "sessions-" + key)) {
                    a.changes = run.finish(key, etag, r -> {
                        try {
                            ss.write(r);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        if (r.deleted()) {
                            a.tombstones++;
                        } else {
                            a.revisions++;
                        }
                    });
                    ss.endOfRows();
                    a.timings.put("changelog", ObjectProcessor.millisSince(tChanges));
                    // while the Parquet files are finished on their threads
                    long tPrepare = System.nanoTime();
                    // the metrics come from the aggregates: a few milliseconds, whatever the history
                    a.metricsJson = metrics.render(state);
                    if (roomy) { // the state's leaves while the Parquet files are finished on their threads
                        a.sealed = leaves.seal(state, revision, runId, true);
                        a.timings.put("encode_state_and_metrics", ObjectProcessor.millisSince(tPrepare));
                        long tWait = System.nanoTime();
                        sessionFiles = ss.finish();
                        a.eventFiles = ev.finish();
                        a.timings.put("wait_for_parquet", ObjectProcessor.millisSince(tWait));
                    } else { // one thing after the other: the Parquet buffers are free before the state is encoded
                        sessionFiles = ss.finish();
                        a.eventFiles = ev.finish();
                        a.timings.put("wait_for_parquet", ObjectProcessor.millisSince(tPrepare));
                        long tEncode = System.nanoTime();
                        a.sealed = leaves.seal(state, revision, runId, false);
                        a.timings.put("encode_state_and_metrics", ObjectProcessor.millisSince(tEncode));
                    }
                }
                a.timings.put("write_session_revisions", ObjectProcessor.millisSince(tChanges));
            }

            Map<String, Path> planned = new LinkedHashMap<>();
            for (Map.Entry<LocalDate, Path> f : sessionFiles.entrySet()) {
                planned.put(Layout.sessionsKey(f.getKey(), revision, runId), f.getValue());
            }
            for (Map.Entry<LocalDate, Path> f : a.eventFiles.entrySet()) {
                planned.put(Layout.cleanEventsKey(f.getKey(), revision, runId), f.getValue());
            }
            if (rejectedFile != null) {
                planned.put(Layout.rejectedKey(revision, runId), rejectedFile);
            }
            a.revision = revision;
            List<String> plannedKeys = new ArrayList<>(planned.keySet());
            // the state's packs, at most one per kind
            for (io.sessionlake.session.StateSeal.NewPack pack : a.sealed.packs()) {
                plannedKeys.add(pack.key());
            }
            a.planned = List.copyOf(plannedKeys);
            long tAnnounce = System.nanoTime();
            beforeUploads.announce(a);
            a.timings.put("announce_outputs", ObjectProcessor.millisSince(tAnnounce));
            long tWrite = System.nanoTime();
            for (Map.Entry<String, Path> f : planned.entrySet()) {
                upload(a, f.getKey(), f.getValue(), f.getKey().endsWith(".parquet") ? PARQUET : "application/x-ndjson");
            }
            a.timings.put("write_outputs", ObjectProcessor.millisSince(tWrite));
            long tLeaves = System.nanoTime();
            leaves.write(a.sealed, a.leaves);
            a.outputs.addAll(a.planned.subList(planned.size(), a.planned.size()));
            a.timings.put("write_state_leaves", ObjectProcessor.millisSince(tLeaves));
            long tGarbage = System.nanoTime();
            a.stateBytes = a.sealed.manifest(leaves.deleteGarbage(a.sealed));
            a.stateSizeBytes = a.stateBytes.length + a.sealed.leafBytes();
            a.timings.put("delete_retired_leaves", ObjectProcessor.millisSince(tGarbage));
            return a;
        } finally {
            deleteRecursively(tmp);
        }
    }

    private void readObject(String key, IncrementalRun run, LineCounts counts, BackgroundWriter<Event> events,
            RejectedLines rejected) throws IOException {
        long lastLine = 0;
        try (InputStream raw = store.open(key);
                ParsingPipeline lines = new ParsingPipeline(raw, settings.maxLineBytes(), run::isLate, key)) {
            long[] eventIds = new long[0];
            long[] customerIds = new long[0];
            for (ParsingPipeline.Batch batch = lines.next(); batch != null; batch = lines.next()) {
                if (eventIds.length < batch.size) {
                    eventIds = new long[batch.size];
                    customerIds = new long[batch.size];
                }
                int candidates = 0;
                for (int i = 0; i < batch.size; i++) {
                    ParsedLine parsed = batch.parsed[i];
                    if (!parsed.isRejected() && !parsed.anonymous() && !batch.late[i]) {
                        eventIds[candidates] = parsed.event().id();
                        customerIds[candidates++] = parsed.event().customerId();
                    }
                }
                run.prefetch(eventIds, customerIds, candidates);
                for (int i = 0; i < batch.size; i++) {
                    long number = batch.numbers[i];
                    lastLine = number;
                    counts.lines++;
                    ParsedLine parsed = batch.parsed[i];
                    if (parsed.isRejected()) {
                        reject(counts, rejected, number, parsed, batch.raw(i));
                    } else if (parsed.anonymous()) {
                        counts.anonymous++;
                    } else if (batch.late[i]) {
                        counts.late++;
                        rejected.add(number, "late", "behind the lateness horizon of "
                                + settings.sessions().horizonText() + " from the watermark", batch.raw(i),
                                batch.raw(i).length);
                    } else {
                        accept(run, counts, events, parsed.event());
                    }
                }
            }
        } catch (ZipException | EOFException e) {
            throw RunFailedException.input(key + ": corrupt gzip stream after line " + lastLine + " (" + e.getMessage()
                    + "); nothing was written and the state is unchanged. Upload a valid object under a new key"
                    + " or overwrite this one to have it processed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // the runtime is shutting the run down, nothing is wrong with the object: a later delivery can finish it
            throw new RunFailedException("interrupted while reading " + key, FailureCause.STORAGE, e);
        }
    }

    private static void accept(IncrementalRun run, LineCounts counts, BackgroundWriter<Event> events, Event e)
            throws IOException {
        switch (run.offer(e)) {
            case ACCEPTED -> {
                counts.accepted++;
                events.write(e);
                if (!EventTypes.isKnown(e.type())) {
                    counts.unknownTypes.merge(e.type(), 1L, Long::sum);
                }
            }
            case DUPLICATE -> counts.duplicate++;
            case LATE -> throw new IllegalStateException("lateness is decided before offering an event");
        }
    }

    private static void reject(LineCounts counts, RejectedLines rejected, long lineNumber, ParsedLine line,
            byte[] raw) throws IOException {
        RejectReason reason = line.rejection();
        counts.rejected++;
        counts.rejectedByReason.merge(reason.code(), 1L, Long::sum);
        long cutLineBytes = line instanceof ParsedLine.TooLong tooLong ? tooLong.lineBytes() : -1;
        rejected.add(lineNumber, reason.code(), line.detail(), raw, raw.length, cutLineBytes);
    }

    private void upload(Result a, String key, Path file, String contentType) throws IOException {
        store.put(key, file, contentType);
        a.outputs.add(key);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary files only
        }
    }

    /** What one attempt wrote and counted; committed or thrown away by the caller. */
    static final class Result {
        final LineCounts counts = new LineCounts();
        /** Data objects written, then the names of the leaf kinds written (as announced). */
        final List<String> outputs = new ArrayList<>();
        /** Every state leaf written. */
        final List<String> leaves = new ArrayList<>();
        final Map<String, Long> timings = new LinkedHashMap<>();
        /** The revision this attempt's rows carry, the sequence its commit would give the state. */
        long revision;
        /** Every key this attempt writes, known before the first upload. */
        List<String> planned = List.of();
        IncrementalRun.RunChanges changes;
        Map<LocalDate, Path> eventFiles;
        /** The state after this run: its new leaves, and its manifest, ready for the commit; the metrics of it. */
        StateSeal.Sealed sealed;
        byte[] stateBytes;
        /** The manifest and every leaf it names. */
        long stateSizeBytes;
        byte[] metricsJson;
        int revisions;
        int tombstones;
    }
}
