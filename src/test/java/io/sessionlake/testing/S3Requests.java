package io.sessionlake.testing;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Records every HTTP request an S3 client sends, as it goes over the wire (after marshalling and signing,
 * once per retry), with the status S3 answered (-1 when no answer came). Path-style addressing assumed.
 */
public final class S3Requests implements ExecutionInterceptor {
    private static final ExecutionAttribute<Sent> SENT = new ExecutionAttribute<>("sessionlake.sent");

    /** One request: bucket and key decoded from the path ({@code key} null for a bucket request). */
    public static final class Sent {
        public final String method;
        public final String bucket;
        public final String key;
        public final Map<String, List<String>> query;
        public final Map<String, List<String>> headers;
        volatile int status = -1;

        Sent(SdkHttpRequest r) {
            this.method = r.method().name();
            String path = URI.create("http://host" + r.encodedPath()).getPath();
            String bucketAndKey = path.startsWith("/") ? path.substring(1) : path;
            int slash = bucketAndKey.indexOf('/');
            this.bucket = slash < 0 ? bucketAndKey : bucketAndKey.substring(0, slash);
            String k = slash < 0 ? "" : bucketAndKey.substring(slash + 1);
            this.key = k.isEmpty() ? null : k;
            this.query = r.rawQueryParameters();
            this.headers = r.headers();
        }

        public int status() {
            return status;
        }

        @Override
        public String toString() {
            return method + " " + bucket + (key == null ? "" : "/" + key) + (query.isEmpty() ? "" : " " + query)
                    + " -> " + status;
        }
    }

    private final List<Sent> sent = new ArrayList<>();

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        Sent s = new Sent(context.httpRequest());
        attributes.putAttribute(SENT, s);
        synchronized (sent) {
            sent.add(s);
        }
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        Sent s = attributes.getAttribute(SENT);
        if (s != null) {
            s.status = context.httpResponse().statusCode();
        }
    }

    public List<Sent> all() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }
}
