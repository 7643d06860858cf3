package io.sessionlake.run;

import io.sessionlake.session.LeafMissingException;
import io.sessionlake.session.SessionState;
import io.sessionlake.session.StateSeal;
import io.sessionlake.session.StateUnreadableException;
import io.sessionlake.store.ConcurrentUpdateException;
import io.sessionlake.store.ObjectNotFoundException;
import io.sessionlake.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Processes one input object as one run, with the commit protocol of a table format: load the state and
 * its ETag, sessionize, name every output in the run's report before writing it, write the outputs under
 * deterministic names, then commit the state with a conditional write. Losing that race removes this
 * attempt's outputs, reloads and redoes; an object already in the ledger is skipped. After the commit nothing
 * fails the run: the metrics and the report are tried a few times, and what still fails is a warning in the
 * report, repaired by a later run (metrics) or a later delivery of the object (metrics and report).
 */
public final class ObjectProcessor {
    /** Work after the commit: tries and the pause before each. */
    private static final long[] AFTER_COMMIT_PAUSES_MILLIS = {0, 100, 400};

    private final ObjectStore store;
    private final RunSettings settings;
    private final Clock clock;
    private final StateRepository states;
    private final LeafCache leafCache;
    private final MetricsPublisher metrics;
    private final RunRecords records;
    private final RunAttempt attempts;
    private final CommitTurn turn;

    public ObjectProcessor(ObjectStore store, RunSettings settings, Clock clock) {
        this(store, settings, clock, StateSeal.LeafTargets.DEFAULT, StateLeaves.GRACE);
    }

    /** With other leaf sizes and grace period: tests split leaves and collect garbage on small states. */
    ObjectProcessor(ObjectStore store, RunSettings settings, Clock clock, StateSeal.LeafTargets leafTargets,
            java.time.Duration grace) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        // leaves this processor wrote or read, for its next runs (a warm Lambda container runs one at a time)
        this.leafCache = new LeafCache(settings.stateCacheBytes().orElseGet(LeafCache::defaultBytes));
        this.states = new StateRepository(store, leafCache);
        this.metrics = new MetricsPublisher(store, clock);
        this.records = new RunRecords(store);
        this.turn = new CommitTurn(store, clock);
        this.attempts = new RunAttempt(store, settings, metrics,
                new StateLeaves(store, clock, leafTargets, grace, leafCache));
    }

    /** A report says the object succeeded and the state lists it: another attempt committed it meanwhile. */
    private static final class CommittedMeanwhile extends RuntimeException {
        CommittedMeanwhile() {
            super(null, null, false, false);
        }
    }

    public RunReport process(String key) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        ObjectStore.ObjectInfo input;
        try {
            input = store.stat(key).orElseThrow(() -> new ObjectNotFoundException(store.location(), key));
        } catch (ObjectNotFoundException e) {
            return failed(key, null, 0, started, 0, RunFailedException.input(e.getMessage(), e), null);
        } catch (IOException e) {
            return failed(key, null, 0, started, 0, RunFailedException.fromStore(
                    "cannot read " + key + " in " + store.location() + ": " + e.getMessage(), e), null);
        }
        String runId = RunIds.of(key, input.etag());
        int attempt = 0;
        int lossesInARow = 0;
        boolean claimedTurn = false;
        long attemptStarted = System.nanoTime();
        RunAttempt.Result[] announced = {null};
        try {
            while (true) {
                attempt++;
                if (lossesInARow >= CommitTurn.CLAIM_AFTER_LOSSES) {
                    claimedTurn |= turn.claim(runId,
                            CommitTurn.holdAfter(Duration.ofNanos(System.nanoTime() - attemptStarted)));
                }
                attemptStarted = System.nanoTime();
                StateRepository.Loaded loaded = states.load(settings.sessions());
                SessionState state = loaded.state();
                if (state.hasProcessed(key, input.etag())) {
                    return skipped(runId, input, state, attempt, started, t0);
                }
                try {
                    state.requireConfig(settings.sessions());
                } catch (IllegalStateException mismatch) {
                    throw RunFailedException.configuration(mismatch.getMessage(), mismatch);
                }
                int thisAttempt = attempt;
                RunAttempt.Result a;
                try {
                    a = attempts.run(key, input.etag(), runId, state, planned -> {
                        announce(runId, input, planned, thisAttempt, started);
                        announced[0] = planned;
                    });
                } catch (CommittedMeanwhile e) {
                    continue; // the next load finds the object in the ledger
                } catch (LeafMissingException missing) {
                    // before any upload (leaves are read while sessionizing): nothing of this attempt to remove
                    if (java.util.Objects.equals(states.currentEtag(), loaded.etag())) {
                        throw states.unreadable(missing.key(), missing);
                    }
                    requireAnotherAttempt(attempt, " (a leaf of the state this run read was retired)", missing);
                    lossesInARow++;
                    continue; // a newer commit retired a leaf of the state this attempt read: read the new one
                } catch (StateUnreadableException unreadable) {
                    leafCache.removePack(unreadable.key()); // damaged on the way, maybe: the next run reads it again
                    throw states.unreadable(unreadable.key(), unreadable);
                }
                Duration waited = turn.awaitOthers(runId);
                if (waited.toMillis() > 0) {
                    a.timings.put("wait_for_turn", waited.toMillis());
                }
                long tCommit = System.nanoTime();
                try {
                    states.commit(a.stateBytes, loaded.etag());
                } catch (ConcurrentUpdateException lostRace) {
                    removeOutputsOfLostRace(runId, input, a);
                    requireAnotherAttempt(attempt, "", lostRace);
                    lossesInARow++;
                    continue;
                }
                a.timings.put("commit_state", millisSince(tCommit));
                return afterCommit(runId, input, a, attempt, started, t0);
            }
        } catch (RunFailedException e) {
            return failed(key, input, attempt, started, t0, e, announced[0]);
        } catch (ConfigurationException e) {
            return failed(key, input, attempt, started, t0, RunFailedException.configuration(e.getMessage(), e),
                    announced[0]);
        } catch (IOException e) {
            return failed(key, input, attempt, started, t0, storage(key, e), announced[0]);
        } catch (UncheckedIOException e) {
            return failed(key, input, attempt, started, t0, storage(key, e.getCause()), announced[0]);
        } catch (RuntimeException e) {
            return failed(key, input, attempt, started, t0, RunFailedException.defect("processing " + key, e),
                    announced[0]);
        } catch (VirtualMachineError e) {
            throw e; // out of memory or stack: the invocation fails and is retried in a fresh runtime
        } catch (Error e) { // an AssertionError, a LinkageError: ours
            return failed(key, input, attempt, started, t0, RunFailedException.defect("processing " + key, e),
                    announced[0]);
        } finally {
            if (claimedTurn) {
                turn.release(runId);
            }
        }
    }

    /** After a lost race: another attempt, unless this was the last one the settings allow. */
    private void requireAnotherAttempt(int attempt, String detail, Exception lost) {
        if (attempt >= settings.maxCommitAttempts()) {
            throw new RunFailedException("gave up after " + attempt + " attempts: other runs kept committing the state"
                    + " first" + detail, FailureCause.COMMIT_RACE, lost);
        }
    }

    /** Every checked I/O failure that reaches here came from the store or the local temporary files. */
    private RunFailedException storage(String key, IOException e) {
        return RunFailedException.fromStore(
                "storage error in " + store.location() + " while processing " + key + ": " + e.getMessage(), e);
    }

    /** Names this attempt's keys in the run's report before any is written. */
    private void announce(String runId, ObjectStore.ObjectInfo input, RunAttempt.Result a, int attempt,
            Instant started) throws IOException {
        RunReport running = report(runId, input, RunReport.Outcome.RUNNING, null, a.counts, a.revisions,
                a.tombstones, a.changes.watermarkBefore(), a.changes.watermarkAfter(), a.revision, a.planned,
                a.timings, attempt, started, List.of());
        if (records.announce(running, false)) {
            return;
        }
        // The report says succeeded. It is written after the commit, so if the state does not list the object,
        // the report is from another history (a rebuild, or the object's content back to an earlier version).
        if (states.load(settings.sessions()).state().hasProcessed(input.key(), input.etag())) {
            throw new CommittedMeanwhile();
        }
        records.announce(running, true);
    }

    /**
     * After losing the commit race. If the winner did not commit this object, nothing ever will commit these keys
     * (their revision is taken): they go. If it did, from the same state, they are its keys with its bytes and
     * stay; from another state, they go, as its report names another revision.
     */
    private void removeOutputsOfLostRace(String runId, ObjectStore.ObjectInfo input, RunAttempt.Result a)
            throws IOException {
        if (states.load(settings.sessions()).state().hasProcessed(input.key(), input.etag())) {
            Optional<RunRecords.Stored> report = records.read(runId);
            if (report.isEmpty() || !report.get().succeeded() || report.get().stateSequence() == a.revision) {
                return; // unknown or the winner's own keys: clean nothing up
            }
        }
        List<String> written = new ArrayList<>(a.outputs);
        written.removeIf(k -> k.contains("*"));
        written.addAll(a.leaves);
        for (String k : written) {
            try {
                store.delete(k);
            } catch (IOException e) {
                // still named in the report's pending outputs: the attempt that commits removes it
            }
        }
    }

    /** The state is committed: from here on, failures are warnings. */
    private RunReport afterCommit(String runId, ObjectStore.ObjectInfo input, RunAttempt.Result a, int attempt,
            Instant started, long t0) {
        List<String> warnings = new ArrayList<>();
        bestEffort("dropping the state leaves the commit replaced from the cache (they only take its room)",
                () -> attempts.committed(a), warnings);
        long tAfter = System.nanoTime();
        bestEffort("publishing " + Layout.METRICS_KEY + " (a later run or delivery publishes it)",
                () -> metrics.publish(a.metricsJson, a.revision), warnings);
        a.timings.put("write_metrics", millisSince(tAfter));
        a.timings.put("total", millisSince(t0));
        RunReport done = report(runId, input, RunReport.Outcome.SUCCEEDED, null, a.counts, a.revisions,
                a.tombstones, a.changes.watermarkBefore(), a.changes.watermarkAfter(), a.revision, a.outputs,
                a.timings, attempt, started, List.copyOf(warnings)).withStateSizeBytes(a.stateSizeBytes);
        List<String> more = new ArrayList<>();
        bestEffort("recording the run report " + Layout.runReportKey(runId) + " (a later delivery rewrites it)", () -> {
            List<String> left = records.succeeded(done);
            if (!left.isEmpty()) {
                more.add("could not remove outputs of attempts that did not commit: " + left
                        + " (named in the report; a later delivery of the object removes them)");
            }
        }, more);
        return done.withWarnings(more);
    }

    /** A delivery of a committed object: reports the skip, and repairs what failed after that commit. */
    private RunReport skipped(String runId, ObjectStore.ObjectInfo input, SessionState state, int attempt,
            Instant started, long t0) {
        List<String> warnings = new ArrayList<>();
        RunReport committed = report(runId, input, RunReport.Outcome.SUCCEEDED, null, null, 0, 0,
                SessionState.NO_WATERMARK, SessionState.NO_WATERMARK, 0, List.of(), Map.of(), 0, started, List.of());
        bestEffort("repairing the run report " + Layout.runReportKey(runId), () -> {
            String did = records.repairCommitted(committed);
            if (did != null) {
                warnings.add("repaired the run report: " + did);
            }
        }, warnings);
        bestEffort("repairing " + Layout.METRICS_KEY, () -> {
            if (metrics.publishIfBehind(state)) {
                warnings.add("repaired " + Layout.METRICS_KEY + ": published the metrics of state " + state.sequence()
                        + ", which the run that committed it had not");
            }
        }, warnings);
        return report(runId, input, RunReport.Outcome.SKIPPED_ALREADY_PROCESSED, null, null, 0, 0,
                state.watermark(), state.watermark(), state.sequence(), List.of(), Map.of("total", millisSince(t0)),
                attempt, started, warnings);
    }

    private interface Work {
        void run() throws IOException;
    }

    /** Tries a few times; a failure that remains becomes a warning, never an exception. */
    private static void bestEffort(String what, Work work, List<String> warnings) {
        Exception last = null;
        for (long pause : AFTER_COMMIT_PAUSES_MILLIS) {
            try {
                Thread.sleep(pause);
                work.run();
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                last = e;
                break;
            } catch (IOException | RuntimeException e) {
                last = e;
            }
        }
        warnings.add("failed " + what + ": " + last);
    }

    private RunReport failed(String key, ObjectStore.ObjectInfo input, int attempts, Instant started, long t0,
            RunFailedException e, RunAttempt.Result announced) {
        String runId = input == null ? RunIds.of(key, "") : RunIds.of(key, input.etag());
        // an attempt that got as far as naming its outputs reports what it counted and which revision it tried
        RunReport r = new RunReport(runId, store.location(), key, input == null ? null : input.etag(),
                input == null ? 0 : input.size(), RunReport.Outcome.FAILED, e.getMessage(), e.failureCause(), e.exceptionClass(),
                announced == null ? null : announced.counts, announced == null ? 0 : announced.revisions,
                announced == null ? 0 : announced.tombstones, SessionState.NO_WATERMARK, SessionState.NO_WATERMARK,
                announced == null ? 0 : announced.revision, List.of(),
                Map.of("total", t0 == 0 ? 0 : millisSince(t0)), attempts, started, clock.instant(), List.of());
        try {
            records.failed(r);
        } catch (IOException | RuntimeException ignored) {
            // the report is best effort when storage itself is what failed; the caller still gets it
        }
        return r;
    }

    private RunReport report(String runId, ObjectStore.ObjectInfo input, RunReport.Outcome outcome, String error,
            LineCounts counts, int revisions, int tombstones, long wmBefore, long wmAfter,
            long sequence, List<String> outputs, Map<String, Long> timings, int attempts, Instant started,
            List<String> warnings) {
        return new RunReport(runId, store.location(), input.key(), input.etag(), input.size(), outcome, error,
                null, null, counts, revisions, tombstones, wmBefore, wmAfter, sequence, outputs, timings, attempts,
                started, clock.instant(), warnings);
    }

    static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
