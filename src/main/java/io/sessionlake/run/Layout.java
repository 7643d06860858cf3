package io.sessionlake.run;

import java.time.LocalDate;
import java.util.List;

/**
 * Where everything lives in the bucket (SPEC 6). Output names depend only on the run id and the
 * revision, so a retried run writes the same keys and a run redone after a lost commit writes new ones.
 */
public final class Layout {
    /** The state's manifest: the one object a run commits, with a conditional write. */
    public static final String STATE_KEY = "state/manifest.bin";
    /** The single-object state of earlier versions: read once, when no manifest exists yet, and left as it was. */
    public static final String LEGACY_STATE_KEY = "state/state.bin";
    /** Which run may commit next while runs race (see CommitTurn); absent most of the time. */
    public static final String TURN_KEY = "state/turn.json";
    public static final String METRICS_KEY = "metrics/orders.json";
    /** What sessionlake writes; the input prefix may overlap none of them. */
    public static final List<String> OUTPUT_PREFIXES = List.of("sessions/", "clean_events/", "rejected/", "runs/",
            "metrics/", "state/");

    private final String inputPrefix;

    public Layout(String inputPrefix) {
        this.inputPrefix = inputPrefix;
    }

    /**
     * Refuses an input prefix that would make outputs or the private state inputs: empty, not ending in '/'
     * (so "events" would match "events-other/..."), or overlapping an output prefix.
     *
     * @param setting how the user sets it, for the message
     * @throws ConfigurationException naming the setting and what to set instead
     */
    public static String checkInputPrefix(String prefix, String setting) {
        if (prefix == null || prefix.isEmpty()) {
            throw new ConfigurationException(setting, "is empty: every key of the bucket would be an input, the outputs"
                    + " and the private state too; set a folder such as events/");
        }
        if (!prefix.endsWith("/")) {
            throw new ConfigurationException(setting, "'" + prefix + "' does not end with '/': it would also match keys"
                    + " such as " + prefix + "-other/...; set '" + prefix + "/'");
        }
        for (String output : OUTPUT_PREFIXES) {
            if (prefix.startsWith(output) || output.startsWith(prefix)) {
                throw new ConfigurationException(setting, "'" + prefix + "' overlaps the output prefix " + output
                        + ": runs would read what sessionlake writes; set a folder outside " + String.join(", ",
                                OUTPUT_PREFIXES) + ", such as events/");
            }
        }
        return prefix;
    }

    public String inputPrefix() {
        return inputPrefix;
    }

    public boolean isInput(String key) {
        return key.startsWith(inputPrefix) && !key.endsWith("/");
    }

    public static String sessionsKey(LocalDate dt, long revision, String runId) {
        return "sessions/dt=" + dt + "/" + partName(revision, runId) + ".parquet";
    }

    public static String cleanEventsKey(LocalDate dt, long revision, String runId) {
        return "clean_events/dt=" + dt + "/" + partName(revision, runId) + ".parquet";
    }

    public static String rejectedKey(long revision, String runId) {
        return "rejected/" + partName(revision, runId) + ".jsonl";
    }

    /** Whether a key is one a run with this id writes: a report can only ever make a run delete its own outputs. */
    public static boolean isOutputOf(String key, String runId) {
        String part = "r[0-9]{12}-" + java.util.regex.Pattern.quote(runId);
        return key.matches("(sessions|clean_events)/dt=[0-9]{4}-[0-9]{2}-[0-9]{2}/" + part + "\\.parquet")
                || key.matches("rejected/" + part + "\\.jsonl")
                || key.matches("state/(customers|ids)/pack-" + part + "\\.bin");
    }

    /**
     * Keys of the state objects a run writes, a pack per kind and a base of the manifest's customer leaves: the
     * revision and run id, so a retried run writes the same keys and two runs never write the same key.
     */
    public static io.sessionlake.session.StateSeal.LeafNames leafNames(long revision, String runId) {
        return new io.sessionlake.session.StateSeal.LeafNames() {
            @Override
            public String customers() {
                return "state/customers/pack-" + partName(revision, runId) + ".bin";
            }

            @Override
            public String ids() {
                return "state/ids/pack-" + partName(revision, runId) + ".bin";
            }

            @Override
            public String customerBase() {
                return "state/customers/base-" + partName(revision, runId) + ".bin";
            }
        };
    }

    public static String runReportKey(String runId) {
        return "runs/" + runId + ".json";
    }

    private static String partName(long revision, String runId) {
        return String.format("r%012d-%s", revision, runId);
    }
}
