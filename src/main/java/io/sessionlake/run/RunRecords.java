package io.sessionlake.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sessionlake.store.ConcurrentUpdateException;
import io.sessionlake.store.ObjectStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The object {@code runs/<run id>.json}: a run's report, and before that the list of what its attempts write.
 * An attempt adds its revision and output keys under {@code pending_outputs} before it uploads any of them;
 * the attempt that commits removes the keys of every other revision and records the report as succeeded.
 * So the output of an attempt that never committed is always named, and the next attempt of the same object
 * that commits removes it. Every write is conditional on the version read: attempts never lose each other's keys.
 *
 * <p>Why the highest announced revision is the committed one: an attempt that loads a state without the object
 * in its ledger has a revision no higher than the one that commits the object (every later state lists it),
 * and attempts from the same state write the same keys with the same bytes.
 */
final class RunRecords {
    static final String PENDING = "pending_outputs";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int ATTEMPTS = 5;

    private final ObjectStore store;

    RunRecords(ObjectStore store) {
        this.store = store;
    }

    /** A stored record: its JSON and the version it was read at. */
    record Stored(ObjectNode json, String etag) {
        String outcome() {
            return json.path("outcome").asText("");
        }

        boolean succeeded() {
            return RunReport.Outcome.SUCCEEDED.code().equals(outcome());
        }

        long stateSequence() {
            return json.path("state_sequence").asLong(-1);
        }

        /** Keys written (or about to be) by attempts not known to have committed, by revision. */
        TreeMap<Long, List<String>> pending() {
            TreeMap<Long, List<String>> out = new TreeMap<>();
            json.path(PENDING).fields().forEachRemaining(e -> {
                if (!e.getKey().matches("[0-9]{1,18}")) {
                    return; // not written by us: a report edited by hand names nothing we may delete
                }
                List<String> keys = new ArrayList<>();
                e.getValue().forEach(k -> keys.add(k.asText()));
                out.put(Long.parseLong(e.getKey()), keys);
            });
            return out;
        }
    }

    Optional<Stored> read(String runId) throws IOException {
        Optional<ObjectStore.StoredBytes> b = store.read(Layout.runReportKey(runId));
        if (b.isEmpty()) {
            return Optional.empty();
        }
        JsonNode n;
        try {
            n = JSON.readTree(b.get().bytes());
        } catch (IOException e) {
            n = null; // an unreadable report is replaced like a missing one, but only over this version
        }
        return Optional.of(new Stored(n instanceof ObjectNode o ? o : JSON.createObjectNode(), b.get().etag()));
    }

    /**
     * Before an attempt uploads: records it as running and adds its revision and keys to the pending ones.
     *
     * @param overSucceeded replace a succeeded report: the caller knows it is from another history (the object
     *     is not in the ledger of the state it loaded, and a report says succeeded only after the commit)
     * @return false, writing nothing, when the report says succeeded and {@code overSucceeded} is false
     */
    boolean announce(RunReport running, boolean overSucceeded) throws IOException {
        return update(running.runId(), old -> {
            TreeMap<Long, List<String>> pending = new TreeMap<>();
            if (old.isPresent() && old.get().succeeded()) {
                if (!overSucceeded) {
                    return null;
                }
            } else if (old.isPresent()) {
                pending.putAll(old.get().pending());
            }
            List<String> keys = new ArrayList<>(pending.getOrDefault(running.stateSequence(), List.of()));
            running.outputs().stream().filter(k -> !keys.contains(k)).forEach(keys::add);
            pending.put(running.stateSequence(), keys);
            return withPending(RunReportJson.toNode(running), pending);
        });
    }

    /**
     * After the commit: removes the pending keys of every other revision and records the report as succeeded.
     *
     * @return keys that could not be removed (they stay pending, for the next delivery to remove)
     */
    List<String> succeeded(RunReport done) throws IOException {
        List<String> left = new ArrayList<>();
        update(done.runId(), old -> {
            left.clear();
            TreeMap<Long, List<String>> leftovers = new TreeMap<>();
            if (old.isPresent()) {
                TreeMap<Long, List<String>> pending = old.get().pending();
                pending.remove(done.stateSequence());
                leftovers = removeAll(pending, done.runId());
            }
            leftovers.values().forEach(left::addAll);
            return withPending(RunReportJson.toNode(done), leftovers);
        });
        return left;
    }

    /** A failed attempt: the report says why and keeps every pending key named. Never replaces a succeeded report. */
    void failed(RunReport failed) throws IOException {
        update(failed.runId(), old -> {
            if (old.isPresent() && old.get().succeeded()) {
                return null;
            }
            return withPending(RunReportJson.toNode(failed), old.map(Stored::pending).orElseGet(TreeMap::new));
        });
    }

    /**
     * For an object in the ledger (so one of its attempts committed): a missing, running or failed report is
     * rewritten as succeeded, naming the outputs of the highest announced revision, and pending keys of other
     * revisions are removed. A succeeded report with nothing pending is left alone: then this writes nothing.
     *
     * @param committed what is known without the report: the object, and no counts
     * @return what it did, or null when nothing needed repair
     */
    String repairCommitted(RunReport committed) throws IOException {
        String[] did = {null};
        update(committed.runId(), old -> {
            if (old.isPresent() && old.get().succeeded()) {
                TreeMap<Long, List<String>> pending = old.get().pending();
                if (pending.isEmpty()) {
                    did[0] = null;
                    return null;
                }
                pending.remove(old.get().stateSequence());
                did[0] = "removed outputs of attempts that did not commit";
                return withPending(old.get().json().deepCopy(), removeAll(pending, committed.runId()));
            }
            TreeMap<Long, List<String>> pending = old.map(Stored::pending).orElseGet(TreeMap::new);
            ObjectNode n;
            if (pending.isEmpty()) {
                n = RunReportJson.toNode(committed.withWarnings(List.of(
                        "report rewritten by a later delivery: the run committed, its own report was not recorded")));
            } else {
                long revision = pending.lastKey();
                List<String> outputs = pending.remove(revision);
                Stored o = old.get();
                if (o.stateSequence() == revision && o.json().has("counts")) {
                    n = o.json().deepCopy(); // the committed attempt's own report: counts and all
                    n.remove("error");
                    n.remove("retryable");
                    n.remove("cause");
                    n.remove("exception");
                } else {
                    n = RunReportJson.toNode(committed);
                    n.put("state_sequence", revision);
                }
                n.put("outcome", RunReport.Outcome.SUCCEEDED.code());
                ArrayNode out = n.putArray("outputs");
                outputs.forEach(out::add);
                n.putArray("warnings").add("report rewritten by a later delivery: the run committed as revision "
                        + revision + ", its own report said " + (o.outcome().isEmpty() ? "nothing" : o.outcome()));
                pending = removeAll(pending, committed.runId());
            }
            did[0] = "rewrote the report as succeeded";
            return withPending(n, pending);
        });
        return did[0];
    }

    /**
     * Deletes every key that is an output of this run (a report names nothing else unless edited by hand);
     * returns those whose deletion failed, by revision.
     */
    private TreeMap<Long, List<String>> removeAll(TreeMap<Long, List<String>> pending, String runId) {
        TreeMap<Long, List<String>> left = new TreeMap<>();
        for (Map.Entry<Long, List<String>> e : pending.entrySet()) {
            for (String key : e.getValue()) {
                try {
                    if (Layout.isOutputOf(key, runId)) {
                        store.delete(key);
                    }
                } catch (IOException | RuntimeException failed) {
                    left.computeIfAbsent(e.getKey(), r -> new ArrayList<>()).add(key);
                }
            }
        }
        return left;
    }

    private static ObjectNode withPending(ObjectNode n, TreeMap<Long, List<String>> pending) {
        n.remove(PENDING);
        if (!pending.isEmpty()) {
            ObjectNode p = n.putObject(PENDING);
            pending.forEach((revision, keys) -> {
                ArrayNode a = p.putArray(Long.toString(revision));
                keys.forEach(a::add);
            });
        }
        return n;
    }

    /** Read, change, write only over the version read; again when another writer came first. */
    private boolean update(String runId, Function<Optional<Stored>, ObjectNode> change) throws IOException {
        String key = Layout.runReportKey(runId);
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Optional<Stored> old = read(runId);
            ObjectNode next = change.apply(old);
            if (next == null) {
                return false;
            }
            try {
                store.putIfUnchanged(key, JSON.writeValueAsBytes(next), old.map(Stored::etag).orElse(null),
                        "application/json");
                return true;
            } catch (ConcurrentUpdateException raced) {
                // another attempt of this object wrote in between: merge with what it wrote
            }
        }
        throw new IOException("could not update " + key + " after " + ATTEMPTS + " attempts: other attempts of"
                + " the same object kept writing it");
    }
}
