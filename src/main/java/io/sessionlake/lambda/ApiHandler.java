package io.sessionlake.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.ObjectStore;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.jboss.logging.MDC;

/**
 * Entry point for API Gateway HTTP API events (payload format 2.0): unpacks method, path and body,
 * lets {@link ApiRouter} answer, and packs the answer. Selected with QUARKUS_LAMBDA_HANDLER=api.
 */
@Named("api")
public class ApiHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ObjectStore store;

    @Inject
    ObjectProcessor processor;

    @Inject
    RunSettings settings;

    @Inject
    SessionlakeSettings config;

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        String requestId = context == null ? null : context.getAwsRequestId();
        MDC.put(S3EventHandler.REQUEST_ID, requestId == null ? "" : requestId);
        try {
            return handle(event, requestId);
        } finally {
            MDC.remove(S3EventHandler.REQUEST_ID);
        }
    }

    private Map<String, Object> handle(Map<String, Object> event, String requestId) {
        String method = String.valueOf(EventFields.at(event, "requestContext", "http", "method"));
        String rawPath = String.valueOf(EventFields.at(event, "rawPath"));
        Object stage = EventFields.at(event, "requestContext", "stage");
        if (stage != null && !"$default".equals(stage) && rawPath.startsWith("/" + stage + "/")) {
            rawPath = rawPath.substring(stage.toString().length() + 1);
        }
        String body = event.get("body") == null ? null : event.get("body").toString();
        if (body != null && Boolean.TRUE.equals(event.get("isBase64Encoded"))) {
            body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        ApiRouter router = new ApiRouter(store, processor, settings, config.bucket().orElse(""),
                config.api().maxObjectsPerRequest());
        ApiResponse response = router.handle(method, rawPath, body);
        ObjectNode line = JSON.createObjectNode();
        line.put("log", "api_request");
        line.put("method", method);
        line.put("path", rawPath);
        line.put("status", response.status());
        RecordLog.write(response.status() >= 500 ? "ERROR" : "INFO", requestId, line);
        return response.toGatewayResponse();
    }

}
