package io.sessionlake.lambda;

import java.util.Map;

/** Reads nested fields of a Lambda event received as JSON maps; a missing level gives null, not an error. */
final class EventFields {
    private EventFields() {
    }

    static Object at(Object node, String... names) {
        Object cur = node;
        for (String n : names) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(n);
        }
        return cur;
    }
}
