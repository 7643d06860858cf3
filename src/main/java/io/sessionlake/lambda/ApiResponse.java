package io.sessionlake.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer of the on-demand API: a status and a JSON body. Errors carry a code and a message. */
record ApiResponse(int status, String body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ApiResponse json(int status, Object body) {
        try {
            return new ApiResponse(status, body instanceof String s ? s : JSON.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("response body is not serialisable", e);
        }
    }

    static ApiResponse error(int status, String code, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", code);
        n.put("message", message);
        return json(status, n);
    }

    /** The API Gateway HTTP API (payload 2.0) response shape. */
    Map<String, Object> toGatewayResponse() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("statusCode", status);
        out.put("headers", Map.of("content-type", "application/json"));
        out.put("isBase64Encoded", false);
        out.put("body", body);
        return out;
    }
}
