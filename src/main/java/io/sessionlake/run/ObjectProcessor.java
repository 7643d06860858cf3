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
import io.sessionlake.store.ConcurrentUpdateException;
import io.sessionlake.store.ObjectNotFoundException;
import io.sessionlake.store.ObjectStore;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipException;

/**
 * Processes one input object as one run, with the commit protocol of a table format: load the state and
 * its ETag, sessionize, write every output under a deterministic name, then commit the state with a
 * conditional write. Losing that race removes this attempt's outputs, reloads and redoes; an object already
 * in the ledger is skipped. Metrics and the run report follow the commit, and only describe committed state.
 */
public final class ObjectProcessor {
    private static final String PARQUET = "application/vnd.apache.parquet";

    private final ObjectStore store;
    private final RunSettings settings;
    private final Clock clock;
    private final StateRepository states;
    private final MetricsPublisher metrics;

    public ObjectProcessor(ObjectStore store, RunSettings settings, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.states = new StateRepository(store);
        this.metrics = new MetricsPublisher(store, clock);
    }

    public RunReport process(String key) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        ObjectStore.ObjectInfo input;
        try {
            input = store.stat(key).orElseThrow(() -> new ObjectNotFoundException(store.location(), key));
        } catch (ObjectNotFoundException e) {
            return failed(key, null, 0, started, 0, new RunFailedException(e.getMessage(), false, e));
        } catch (IOException e) {
            return failed(key, null, 0, started, 0, new RunFailedException(
                    "cannot reach " + store.location() + " to read " + key + ": " + e.getMessage(), true, e));
        }
        String runId = RunIds.of(key, input.etag());
        int attempt = 0;
        try {
            while (true) {
                attempt++;
                StateRepository.Loaded loaded = states.load(settings.sessions());
                SessionState state = loaded.state();
                if (state.hasProcessed(key, input.etag())) {
                    writeMetrics(state);
                    return report(runId, input, RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, null, false, null,
                            0, 0, state.watermark(), state.watermark(), state.sequence(), List.of(),
                            Map.of("total", millisSince(t0)), attempt, started);
                }
                state.requireConfig(settings.sessions());
                Attempt a = attempt(key, input.etag(), runId, state);
                long tCommit = System.nanoTime();
                try {
                    states.commit(state, loaded.etag());
                } catch (ConcurrentUpdateException lostRace) {
                    removeOutputs(a.outputs);
                    if (attempt >= settings.maxCommitAttempts()) {
                        throw new RunFailedException("gave up after " + attempt
                                + " attempts: other runs kept committing the state first", true, lostRace);
                    }
                    continue;
                }
                a.timings.put("commit_state", millisSince(tCommit));
                long tAfter = System.nanoTime();
                writeMetrics(state);
                a.timings.put("write_metrics", millisSince(tAfter));
                a.timings.put("total", millisSince(t0));
                RunReport done = report(runId, input, RunReport.Outcome.SUCCEEDED, null, false, a.counts,
                        a.revisions, a.tombstones, a.changes.watermarkBefore(), a.changes.watermarkAfter(),
                        state.sequence(), a.outputs, a.timings, attempt, started);
                store.put(Layout.runReportKey(runId), RunReportJson.render(done), "application/json");
                return done;
            }
        } catch (RunFailedException e) {
            return failed(key, input, attempt, started, t0, e);
        } catch (IllegalStateException e) {
            return failed(key, input, attempt, started, t0, new RunFailedException(e.getMessage(), false, e));
        } catch (IOException | UncheckedIOException e) {
            return failed(key, input, attempt, started, t0, new RunFailedException(
                    "storage error in " + store.location() + " while processing " + key + ": " + e.getMessage(), true, e));
        }
    }

    /** One pass over the object into local files, then the uploads; nothing is committed here. */
    private Attempt attempt(String key, String etag, String runId, SessionState state) throws IOException {
        Path tmp = Files.createTempDirectory("sessionlake-run-");
        try {
            Attempt a = new Attempt();
            IncrementalRun run = new IncrementalRun(state);
            long revision = run.revision();
            long tRead = System.nanoTime();
            PartitionedFiles<Event> events = new PartitionedFiles<>(Tables.cleanEvents(settings.parquetCodec()), tmp,
                    "events", e -> Timestamps.utcEpochDay(e.timeMicros()));
            PartitionedFiles<SessionRevision> sessions = new PartitionedFiles<>(
                    Tables.sessionRevisions(settings.parquetCodec()), tmp, "sessions", r -> Timestamps.utcEpochDay(r.session().startMicros()));
            Path rejectedFile;
            Map<LocalDate, Path> sessionFiles;
            try (RejectedLines rejected = new RejectedLines(tmp.resolve("rejected.jsonl"), key);
                    BackgroundWriter<Event> ev = new BackgroundWriter<>(events, key);
                    PartitionedFiles<SessionRevision> ss = sessions) {
                readObject(key, run, a.counts, ev, rejected);
                a.eventFiles = ev.finish();
                rejectedFile = rejected.finish();
                a.timings.put("read_and_sessionize", millisSince(tRead));
                long tChanges = System.nanoTime();
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
                sessionFiles = ss.finish();
                a.timings.put("write_session_revisions", millisSince(tChanges));
            }

            long tWrite = System.nanoTime();
            for (Map.Entry<LocalDate, Path> f : sessionFiles.entrySet()) {
                upload(a, Layout.sessionsKey(f.getKey(), revision, runId), f.getValue(), PARQUET);
            }
            for (Map.Entry<LocalDate, Path> f : a.eventFiles.entrySet()) {
                upload(a, Layout.cleanEventsKey(f.getKey(), revision, runId), f.getValue(), PARQUET);
            }
            if (rejectedFile != null) {
                upload(a, Layout.rejectedKey(revision, runId), rejectedFile, "application/x-ndjson");
            }
            a.timings.put("write_outputs", millisSince(tWrite));
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
            for (ParsingPipeline.Batch batch = lines.next(); batch != null; batch = lines.next()) {
                for (int i = 0; i < batch.size; i++) {
                    ParsingPipeline.Line line = batch.lines[i];
                    lastLine = line.number();
                    counts.lines++;
                    ParsedLine parsed = line.parsed();
                    if (parsed.isRejected()) {
                        reject(counts, rejected, line.number(), parsed.rejection(), parsed.detail(), line.raw());
                    } else if (parsed.anonymous()) {
                        counts.anonymous++;
                    } else if (line.late()) {
                        counts.late++;
                        rejected.add(line.number(), "late", "behind the lateness horizon of "
                                + settings.sessions().horizon() + " from the watermark", line.raw(), line.raw().length);
                    } else {
                        accept(run, counts, events, parsed.event());
                    }
                }
            }
        } catch (ZipException | EOFException e) {
            throw new RunFailedException(key + ": corrupt gzip stream after line " + lastLine + " (" + e.getMessage()
                    + "); nothing was written and the state is unchanged. Upload a valid object under a new key"
                    + " or overwrite this one to have it processed", false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunFailedException("interrupted while reading " + key, true, e);
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

    private static void reject(LineCounts counts, RejectedLines rejected, long lineNumber, RejectReason reason,
            String detail, byte[] raw) throws IOException {
        counts.rejected++;
        counts.rejectedByReason.merge(reason.code(), 1L, Long::sum);
        rejected.add(lineNumber, reason.code(), detail, raw, raw.length);
    }

    private void upload(Attempt a, String key, Path file, String contentType) throws IOException {
        store.put(key, file, contentType);
        a.outputs.add(key);
    }

    private void removeOutputs(List<String> keys) {
        for (String k : keys) {
            try {
                store.delete(k);
            } catch (IOException e) {
                // an orphan of a lost race: its rows carry a revision no committed state points to
            }
        }
    }

    private void writeMetrics(SessionState state) throws IOException {
        metrics.publish(state);
    }

    private RunReport failed(String key, ObjectStore.ObjectInfo input, int attempts, Instant started, long t0,
            RunFailedException e) {
        String runId = input == null ? RunIds.of(key, "") : RunIds.of(key, input.etag());
        RunReport r = new RunReport(runId, store.location(), key, input == null ? null : input.etag(),
                input == null ? 0 : input.size(), RunReport.Outcome.FAILED, e.getMessage(), e.retryable(), null, 0, 0,
                SessionState.NO_WATERMARK, SessionState.NO_WATERMARK, 0, List.of(),
                Map.of("total", t0 == 0 ? 0 : millisSince(t0)), attempts, started, clock.instant());
        try {
            store.put(Layout.runReportKey(runId), RunReportJson.render(r), "application/json");
        } catch (IOException | RuntimeException ignored) {
            // the report is best effort when storage itself is what failed; the caller still gets it
        }
        return r;
    }

    private RunReport report(String runId, ObjectStore.ObjectInfo input, RunReport.Outcome outcome, String error,
            boolean retryable, LineCounts counts, int revisions, int tombstones, long wmBefore, long wmAfter,
            long sequence, List<String> outputs, Map<String, Long> timings, int attempts, Instant started) {
        return new RunReport(runId, store.location(), input.key(), input.etag(), input.size(), outcome, error,
                retryable, counts, revisions, tombstones, wmBefore, wmAfter, sequence, outputs, timings, attempts,
                started, clock.instant());
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary files only
        }
    }

    private static final class Attempt {
        final LineCounts counts = new LineCounts();
        final List<String> outputs = new ArrayList<>();
        final Map<String, Long> timings = new LinkedHashMap<>();
        IncrementalRun.RunChanges changes;
        Map<LocalDate, Path> eventFiles;
        int revisions;
        int tombstones;
    }
}
