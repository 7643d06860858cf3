package io.sessionlake.run;

import io.sessionlake.session.SessionState;
import io.sessionlake.store.ConcurrentUpdateException;
import io.sessionlake.store.ObjectNotFoundException;
import io.sessionlake.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Processes one input object as one run, with the commit protocol of a table format: load the state and
 * its ETag, sessionize, write every output under a deterministic name, then commit the state with a
 * conditional write. Losing that race removes this attempt's outputs, reloads and redoes; an object already
 * in the ledger is skipped. Metrics and the run report follow the commit, and only describe committed state.
 */
public final class ObjectProcessor {
    private final ObjectStore store;
    private final RunSettings settings;
    private final Clock clock;
    private final StateRepository states;
    private final MetricsPublisher metrics;
    private final RunAttempt attempts;

    public ObjectProcessor(ObjectStore store, RunSettings settings, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.states = new StateRepository(store);
        this.metrics = new MetricsPublisher(store, clock);
        this.attempts = new RunAttempt(store, settings, metrics);
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
                RunAttempt.Result a = attempts.run(key, input.etag(), runId, state);
                long tCommit = System.nanoTime();
                try {
                    states.commit(a.stateBytes, loaded.etag());
                } catch (ConcurrentUpdateException lostRace) {
                    // The winner may have processed this very object from the same state: then it wrote
                    // these very keys, which are committed output now and must stay. The next loop finds
                    // the object in the ledger and reports the skip.
                    if (!states.load(settings.sessions()).state().hasProcessed(key, input.etag())) {
                        removeOutputs(a.outputs);
                    }
                    if (attempt >= settings.maxCommitAttempts()) {
                        throw new RunFailedException("gave up after " + attempt
                                + " attempts: other runs kept committing the state first", true, lostRace);
                    }
                    continue;
                }
                a.timings.put("commit_state", millisSince(tCommit));
                long tAfter = System.nanoTime();
                metrics.publish(a.metricsJson, state.sequence());
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

    static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
