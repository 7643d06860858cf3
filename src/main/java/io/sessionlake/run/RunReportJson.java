package io.sessionlake.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sessionlake.feed.Timestamps;
import io.sessionlake.session.SessionState;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The JSON form of a {@link RunReport}; field names are part of the contract (SPEC 2, 6). */
public final class RunReportJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunReportJson() {
    }

    public static ObjectNode toNode(RunReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("run_id", r.runId());
        ObjectNode input = root.putObject("input");
        input.put("bucket", r.bucket());
        input.put("key", r.key());
        input.put("etag", r.etag());
        input.put("size_bytes", r.sizeBytes());
        root.put("outcome", r.outcome().code());
        if (r.error() != null) {
            root.put("error", r.error());
            if (r.cause() != null) {
                root.put("cause", r.cause().code());
            }
            root.put("retryable", r.retryable());
            if (r.exception() != null) {
                root.put("exception", r.exception());
            }
        }
        if (r.counts() != null) {
            ObjectNode c = root.putObject("counts");
            c.put("lines", r.counts().lines());
            c.put("accepted", r.counts().accepted());
            c.put("anonymous", r.counts().anonymous());
            c.put("duplicate", r.counts().duplicate());
            c.put("late", r.counts().late());
            c.put("rejected", r.counts().rejected());
            ObjectNode reasons = root.putObject("rejected_by_reason");
            r.counts().rejectedByReason().forEach(reasons::put);
            ObjectNode unknown = root.putObject("unknown_event_types");
            r.counts().unknownTypes().forEach(unknown::put);
        }
        ObjectNode s = root.putObject("sessions_written");
        s.put("revisions", r.sessionRevisions());
        s.put("tombstones", r.sessionTombstones());
        root.put("watermark_before", time(r.watermarkBefore()));
        root.put("watermark_after", time(r.watermarkAfter()));
        root.put("state_sequence", r.stateSequence());
        if (r.stateSizeBytes() > 0) {
            root.put("state_size_bytes", r.stateSizeBytes());
        }
        root.putArray("outputs").addAll(r.outputs().stream().map(root::textNode).toList());
        ObjectNode t = root.putObject("timings_ms");
        r.timingsMillis().forEach(t::put);
        root.put("attempts", r.attempts());
        root.put("started_at", r.startedAt().toString());
        root.put("finished_at", r.finishedAt().toString());
        if (!r.warnings().isEmpty()) {
            root.putArray("warnings").addAll(r.warnings().stream().map(root::textNode).toList());
        }
        return root;
    }

    public static byte[] render(RunReport r) {
        try {
            return JSON.writeValueAsBytes(toNode(r));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String time(long micros) {
        return micros == SessionState.NO_WATERMARK ? null : Timestamps.format(micros);
    }
}
