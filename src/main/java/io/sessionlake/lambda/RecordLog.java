package io.sessionlake.lambda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The handlers' own records (run reports, ignored records, API requests): each one JSON object on one line
 * of stdout, as it is, so that its fields are top-level fields in CloudWatch Logs Insights
 * ({@code filter log = "run" and outcome = "failed"}) rather than a string inside another record's message.
 * Everything else (Quarkus, Hadoop, parquet-java, the AWS SDK) prints through Quarkus's JSON console
 * formatter (application.properties). A record is written in one call so that lines never interleave.
 */
final class RecordLog {
    private RecordLog() {
    }

    /** {@code record} must start with its "log" kind; the level and request id are put right after it. */
    static void write(String level, String requestId, ObjectNode record) {
        ObjectNode line = record.objectNode();
        line.set("log", record.get("log"));
        line.put("level", level);
        line.put(S3EventHandler.REQUEST_ID, requestId);
        line.setAll(record);
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        PrintStream out = System.out;
        synchronized (out) {
            out.write(bytes, 0, bytes.length);
            out.flush();
        }
    }
}
