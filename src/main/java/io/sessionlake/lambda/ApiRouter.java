package io.sessionlake.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sessionlake.run.FailureCause;
import io.sessionlake.run.Layout;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunReportJson;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.store.StoreAccessDeniedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The on-demand API: GET /health, GET /metrics/orders, POST /runs, GET /runs/{id}. Knows HTTP verbs and
 * paths but not API Gateway's event format. Every refusal is a JSON error with a reason; nothing outside
 * the configured bucket and input prefix can be processed.
 */
final class ApiRouter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RUN_ID = Pattern.compile("[0-9a-f]{20}");

    private final ObjectStore store;
    private final ObjectProcessor processor;
    private final RunSettings settings;
    private final String bucket;
    private final int maxObjectsPerRequest;

    ApiRouter(ObjectStore store, ObjectProcessor processor, RunSettings settings, String bucket, int maxObjectsPerRequest) {
        this.store = store;
        this.processor = processor;
        this.settings = settings;
        this.bucket = bucket;
        this.maxObjectsPerRequest = maxObjectsPerRequest;
    }

    ApiResponse handle(String method, String path, String body) {
        try {
            return route(method, path, body);
        } catch (StoreAccessDeniedException e) {
            return ApiResponse.error(500, "configuration", "this function may not use the bucket: " + e.getMessage());
        } catch (IOException e) {
            return ApiResponse.error(503, "storage_unavailable", "the bucket could not be reached: " + e.getMessage());
        } catch (RuntimeException e) {
            return ApiResponse.error(500, "internal", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private ApiResponse route(String method, String path, String body) throws IOException {
        String p = path == null || path.isEmpty() ? "/" : path;
        if (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.equals("/health")) {
            return "GET".equals(method) ? health() : notAllowed(method, p);
        }
        if (p.equals("/metrics/orders")) {
            return "GET".equals(method) ? objectOr404(Layout.METRICS_KEY, "no metrics yet: no object has been processed") : notAllowed(method, p);
        }
        if (p.equals("/runs")) {
            return "POST".equals(method) ? startRuns(body) : notAllowed(method, p);
        }
        if (p.startsWith("/runs/")) {
            if (!"GET".equals(method)) {
                return notAllowed(method, p);
            }
            String id = p.substring("/runs/".length());
            if (!RUN_ID.matcher(id).matches()) {
                return ApiResponse.error(400, "bad_run_id", "a run id is 20 lower-case hex characters, got '" + id + "'");
            }
            return objectOr404(Layout.runReportKey(id), "no run " + id);
        }
        return ApiResponse.error(404, "not_found", "no route " + method + " " + p
                + "; routes: GET /health, GET /metrics/orders, POST /runs, GET /runs/{id}");
    }

    private ApiResponse health() {
        ObjectNode n = JSON.createObjectNode();
        n.put("status", "ok");
        n.put("bucket", bucket);
        n.put("input_prefix", settings.inputPrefix());
        n.put("inactivity_timeout", settings.sessions().inactivityText());
        n.put("lateness_horizon", settings.sessions().horizonText());
        return ApiResponse.json(200, n);
    }

    private ApiResponse objectOr404(String key, String missing) throws IOException {
        Optional<ObjectStore.StoredBytes> o = store.read(key);
        return o.map(b -> ApiResponse.json(200, new String(b.bytes(), StandardCharsets.UTF_8)))
                .orElseGet(() -> ApiResponse.error(404, "not_found", missing));
    }

    private ApiResponse startRuns(String body) throws IOException {
        JsonNode request;
        try {
            request = JSON.readTree(body == null ? "" : body);
        } catch (IOException e) {
            return ApiResponse.error(400, "invalid_json", "the body must be a JSON object such as {\"keys\": [\""
                    + settings.inputPrefix() + "file.jsonl\"]} or {\"prefix\": \"" + settings.inputPrefix() + "\"}");
        }
        if (request == null || !request.isObject()) {
            return ApiResponse.error(400, "invalid_json", "the body must be a JSON object with \"keys\" or \"prefix\"");
        }
        if (request.has("bucket") && !bucket.equals(request.get("bucket").asText())) {
            return ApiResponse.error(400, "wrong_bucket", "this API serves bucket " + bucket + " only");
        }
        boolean hasKeys = request.has("keys");
        boolean hasPrefix = request.has("prefix");
        if (hasKeys == hasPrefix) {
            return ApiResponse.error(400, "keys_or_prefix", "give exactly one of \"keys\" (a list) or \"prefix\" (a string)");
        }
        List<String> keys = new ArrayList<>();
        if (hasKeys) {
            if (!request.get("keys").isArray() || request.get("keys").isEmpty()) {
                return ApiResponse.error(400, "keys_or_prefix", "\"keys\" must be a non-empty list of object keys");
            }
            for (JsonNode k : request.get("keys")) {
                String key = k.asText();
                String refusal = refusal(key);
                if (refusal != null) {
                    return ApiResponse.error(400, "outside_input_prefix", refusal);
                }
                keys.add(key);
            }
        } else {
            String prefix = request.get("prefix").asText();
            String refusal = refusal(prefix);
            if (refusal != null) {
                return ApiResponse.error(400, "outside_input_prefix", refusal);
            }
            // one more than allowed is enough to refuse: a large prefix is never listed whole
            for (ObjectStore.ObjectInfo o : store.list(prefix, maxObjectsPerRequest + 1)) {
                keys.add(o.key());
            }
        }
        if (keys.size() > maxObjectsPerRequest) {
            return ApiResponse.error(400, "too_many_objects", (hasPrefix ? "more than " + maxObjectsPerRequest
                    : String.valueOf(keys.size())) + " objects match; one request processes at most "
                    + maxObjectsPerRequest + " (the API waits for the runs); narrow the prefix, or let S3 events or the CLI do bulk work");
        }
        ArrayNode runs = JSON.createArrayNode();
        FailureCause worst = null;
        for (String key : keys) {
            RunReport r = processor.process(key);
            runs.add(RunReportJson.toNode(r));
            if (r.outcome() == RunReport.Outcome.FAILED && (worst == null || status(r.cause()) > status(worst))) {
                worst = r.cause();
            }
        }
        ObjectNode out = JSON.createObjectNode();
        if (worst != null) {
            out.put("error", worst.code());
            out.put("message", "at least one run failed; the first cause to act on is " + worst.code()
                    + (worst.retryable() ? ": retry the request (runs that succeeded are skipped)" : "")
                    + "; each run report says what failed");
        }
        out.set("runs", runs);
        return ApiResponse.json(worst == null ? 200 : status(worst), out);
    }

    /**
     * The answer to a request with a failed run: 503 when a retry can help (storage, commit_race), 500 when
     * sessionlake or its deployment must change (defect, configuration), 422 when the object must (input).
     * Among several failed runs the highest wins: a retry is worth trying first.
     */
    static int status(FailureCause cause) {
        return switch (cause) {
            case STORAGE, COMMIT_RACE -> 503;
            case DEFECT, CONFIGURATION -> 500;
            case INPUT -> 422;
        };
    }

    /** Why a key or prefix may not be processed, or null when it may. */
    private String refusal(String key) {
        if (key == null || key.isEmpty()) {
            return "an empty key";
        }
        if (!key.startsWith(settings.inputPrefix())) {
            return "'" + key + "' is outside the input prefix " + settings.inputPrefix();
        }
        if (key.contains("..") || key.contains("//") || key.indexOf('\0') >= 0) {
            return "'" + key + "' is not a plain object key";
        }
        return null;
    }

    private static ApiResponse notAllowed(String method, String path) {
        return ApiResponse.error(405, "method_not_allowed", method + " is not allowed on " + path);
    }
}
