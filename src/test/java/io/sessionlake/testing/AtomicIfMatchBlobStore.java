package io.sessionlake.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * S3Proxy 4.1 checks If-Match with a HEAD and then writes, so two racing writers can both pass; S3 itself
 * evaluates the condition atomically. This wrapper restores S3's behaviour (check and write under one lock
 * per key), so the concurrency tests exercise the protocol S3 really offers. If-None-Match is already atomic.
 */
final class AtomicIfMatchBlobStore extends ForwardingBlobStore {
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    AtomicIfMatchBlobStore(BlobStore delegate) {
        super(delegate);
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream input) {
        if (request.ifMatch() == null) {
            return delegate().putBlob(request, input);
        }
        synchronized (locks.computeIfAbsent(request.bucket() + "/" + request.key(), k -> new Object())) {
            HeadObjectResponse current = delegate().blobMetadataIfPresent(request.bucket(), request.key());
            if (current == null || !bare(request.ifMatch()).equals(bare(current.eTag()))) {
                try {
                    input.transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // the body is discarded either way; reading it lets the client see the 412
                }
                throw (S3Exception) S3Exception.builder().statusCode(412)
                        .message("At least one of the pre-conditions you specified did not hold").build();
            }
            return delegate().putBlob(request, input);
        }
    }

    private static String bare(String etag) {
        String e = etag == null ? "" : etag.trim();
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }
}
