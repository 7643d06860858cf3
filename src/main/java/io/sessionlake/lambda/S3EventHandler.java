package io.sessionlake.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sessionlake.run.Layout;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunReportJson;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.ObjectStore;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.MDC;

/**
 * Entry point for S3 ObjectCreated notifications: one run per record, in the order given. A run that
 * failed of a retryable cause ({@code storage}, {@code commit_race}) fails the invocation so that Lambda
 * retries; the ledger makes the records that did succeed no-ops on that retry. The other causes ({@code input},
 * {@code configuration}, {@code defect}) do not: retrying cannot fix them, and the run report says what is wrong.
 */
@Named("s3-events")
public class S3EventHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The MDC key under which every log record of an invocation carries Lambda's request id. */
    static final String REQUEST_ID = "request_id";

    @Inject
    ObjectProcessor processor;

    @Inject
    RunSettings settings;

    @Inject
    ObjectStore store;

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        String requestId = context == null ? null : context.getAwsRequestId();
        MDC.put(REQUEST_ID, requestId == null ? "" : requestId);
        try {
            return handle(event, requestId, context == null ? null : context.getFunctionName());
        } finally {
            MDC.remove(REQUEST_ID);
        }
    }

    private Map<String, Object> handle(Map<String, Object> event, String requestId, String functionName) {
        Layout layout = new Layout(settings.inputPrefix());
        List<Object> runs = new ArrayList<>();
        List<String> retryFor = new ArrayList<>();
        for (Object record : records(event)) {
            String key = keyOf(record);
            String bucket = bucketOf(record);
            if (key == null) {
                RecordLog.write("WARN", requestId, ignored(bucket, null, "the record has no s3.object.key"));
                continue;
            }
            Object eventName = EventFields.at(record, "eventName");
            if (eventName != null && !eventName.toString().startsWith("ObjectCreated")) {
                RecordLog.write("INFO", requestId, ignored(bucket, key, "not an object creation: " + eventName));
                continue;
            }
            if (bucket != null && !store.location().equals("s3://" + bucket)) {
                RecordLog.write("WARN", requestId, ignored(bucket, key, "this function serves " + store.location()));
                continue;
            }
            if (!layout.isInput(key)) {
                RecordLog.write("INFO", requestId, ignored(bucket, key, "outside the input prefix " + settings.inputPrefix()));
                continue;
            }
            RunReport report = processor.process(key);
            ObjectNode line = JSON.createObjectNode();
            line.put("log", "run");
            line.setAll(RunReportJson.toNode(report));
            RecordLog.write(report.outcome() == RunReport.Outcome.FAILED ? "ERROR" : "INFO", requestId, line);
            RecordLog.write("INFO", requestId, RunMetricsLine.of(report, functionName, requestId));
            runs.add(Map.of("key", key, "run_id", report.runId(), "outcome", report.outcome().code()));
            if (report.retryable()) {
                retryFor.add(key + " (" + report.cause().code() + ")");
            }
        }
        if (!retryFor.isEmpty()) {
            throw new IllegalStateException("failed of a cause a retry can fix, so Lambda retries: " + retryFor
                    + "; see the run reports");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("runs", runs);
        return result;
    }

    /** One JSON log line, so CloudWatch Logs Insights can filter on its fields. */
    private static ObjectNode ignored(String bucket, String key, String reason) {
        ObjectNode n = JSON.createObjectNode();
        n.put("log", "ignored_record");
        n.put("bucket", bucket);
        n.put("key", key);
        n.put("reason", reason);
        return n;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> records(Map<String, Object> event) {
        Object r = event == null ? null : event.get("Records");
        return r instanceof List<?> list ? (List<Object>) list : List.of();
    }

    /** S3 URL-encodes keys in notifications, with '+' for a space. */
    static String keyOf(Object record) {
        Object key = EventFields.at(record, "s3", "object", "key");
        return key == null ? null : URLDecoder.decode(key.toString(), StandardCharsets.UTF_8);
    }

    private static String bucketOf(Object record) {
        Object name = EventFields.at(record, "s3", "bucket", "name");
        return name == null ? null : name.toString();
    }

}
