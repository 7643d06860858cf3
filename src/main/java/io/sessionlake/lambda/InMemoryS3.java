package io.sessionlake.lambda;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * The HTTP side of one S3 bucket, held in memory, for {@link Priming} only: an S3 client built on it goes through
 * the SDK's whole request path (endpoint rules, signing, checksums, marshalling, error unmarshalling) without a
 * connection. It answers what {@code S3Store} asks: GET (whole or one byte range), HEAD, PUT (with If-Match / If-None-Match), DELETE and
 * ListObjectsV2 on one bucket; everything else is a 501.
 */
final class InMemoryS3 implements SdkHttpClient {
    private final String bucket;
    private final Map<String, byte[]> objects = new TreeMap<>();

    InMemoryS3(String bucket) {
        this.bucket = bucket;
    }

    /** How many objects it holds: 0 after a priming run that cleaned up, more when it kept its output. */
    synchronized int size() {
        return objects.size();
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                byte[] body = request.contentStreamProvider().isPresent()
                        ? readAll(request.contentStreamProvider().get().newStream()) : new byte[0];
                return answer(request.httpRequest(), body);
            }

            @Override
            public void abort() {
            }
        };
    }

    private synchronized HttpExecuteResponse answer(SdkHttpRequest r, byte[] body) {
        String key = keyOf(r);
        byte[] stored = key == null ? null : objects.get(key);
        switch (r.method()) {
            case GET:
                if (key == null || key.isEmpty()) {
                    return r.firstMatchingRawQueryParameter("list-type").isPresent()
                            ? respond(200, list(r.firstMatchingRawQueryParameter("prefix").orElse("")), null) : error(501, "NotImplemented");
                }
                if (stored == null) {
                    return error(404, "NoSuchKey");
                }
                Optional<String> range = r.firstMatchingHeader("Range");
                return range.isPresent() ? ranged(range.get(), stored) : respond(200, stored, etag(stored));
            case HEAD:
                return stored == null ? respond(404, new byte[0], null) : respond(200, new byte[0], etag(stored), stored.length);
            case PUT:
                Optional<String> ifMatch = r.firstMatchingHeader("If-Match");
                Optional<String> ifNoneMatch = r.firstMatchingHeader("If-None-Match");
                if (ifNoneMatch.isPresent() && stored != null
                        || ifMatch.isPresent() && (stored == null || !ifMatch.get().equals(etag(stored)))) {
                    return error(412, "PreconditionFailed");
                }
                objects.put(key, body);
                return respond(200, new byte[0], etag(body));
            case DELETE:
                objects.remove(key);
                return respond(204, new byte[0], null);
            default:
                return error(501, "NotImplemented");
        }
    }

    /** A GET with {@code Range: bytes=first-last}, as the state's leaf reads send it: 206 and the slice, or 416. */
    private static HttpExecuteResponse ranged(String range, byte[] stored) {
        String[] bounds = range.substring("bytes=".length()).split("-", 2);
        long first = Long.parseLong(bounds[0]);
        if (first >= stored.length) {
            return error(416, "InvalidRange");
        }
        long last = Math.min(stored.length - 1L, bounds[1].isEmpty() ? stored.length - 1L : Long.parseLong(bounds[1]));
        byte[] slice = java.util.Arrays.copyOfRange(stored, (int) first, (int) last + 1);
        HttpExecuteResponse whole = respond(206, slice, etag(stored));
        return HttpExecuteResponse.builder().response(whole.httpResponse().toBuilder()
                .putHeader("Content-Range", "bytes " + first + "-" + last + "/" + stored.length).build())
                .responseBody(whole.responseBody().orElseThrow()).build();
    }

    /** The key of a virtual-hosted (bucket.s3.region.amazonaws.com/key) or path-style (/bucket/key) request. */
    private String keyOf(SdkHttpRequest r) {
        String path = r.encodedPath() == null ? "" : r.encodedPath();
        String raw = r.host().startsWith(bucket + ".") ? path : path.substring(Math.min(path.length(), bucket.length() + 1));
        raw = raw.startsWith("/") ? raw.substring(1) : raw;
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private byte[] list(String prefix) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><Name>")
                .append(bucket).append("</Name><Prefix>").append(prefix).append("</Prefix>");
        int count = 0;
        StringBuilder contents = new StringBuilder();
        for (var e : objects.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                count++;
                contents.append("<Contents><Key>").append(e.getKey()).append("</Key><Size>").append(e.getValue().length)
                        .append("</Size><ETag>").append(etag(e.getValue())).append("</ETag></Contents>");
            }
        }
        xml.append("<KeyCount>").append(count).append("</KeyCount><IsTruncated>false</IsTruncated>").append(contents)
                .append("</ListBucketResult>");
        return xml.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static HttpExecuteResponse error(int status, String code) {
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + code
                + " (in-memory priming bucket)</Message></Error>").getBytes(StandardCharsets.UTF_8);
        return respond(status, xml, null);
    }

    private static HttpExecuteResponse respond(int status, byte[] body, String etag) {
        return respond(status, body, etag, body.length);
    }

    private static HttpExecuteResponse respond(int status, byte[] body, String etag, long contentLength) {
        SdkHttpResponse.Builder h = SdkHttpResponse.builder().statusCode(status)
                .putHeader("Content-Length", Long.toString(contentLength))
                .putHeader("x-amz-request-id", "priming");
        if (etag != null) {
            h.putHeader("ETag", etag);
        }
        if (body.length > 0) {
            h.putHeader("Content-Type", body[0] == '<' ? "application/xml" : "application/octet-stream");
        }
        return HttpExecuteResponse.builder().response(h.build())
                .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body))).build();
    }

    /** S3's ETag of a single-part upload: the quoted MD5 of the bytes (the SDK checks it against what it sent). */
    private static String etag(byte[] bytes) {
        try {
            return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes)) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JRE", e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Override
    public void close() {
    }
}
