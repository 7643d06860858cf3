package io.sessionlake.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The bucket on S3 (or any S3-compatible server). Objects are streamed on read and written with single
 * PUTs; the state commit uses S3 conditional writes (If-None-Match: * for the first, If-Match after).
 */
public final class S3Store implements ObjectStore {
    private final S3Client s3;
    private final String bucket;

    public S3Store(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public String location() {
        return "s3://" + bucket;
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        return list(prefix, Integer.MAX_VALUE);
    }

    /** Pages of at most the keys still wanted, and no page after the limit is reached. */
    @Override
    public List<ObjectInfo> list(String prefix, int limit) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        try {
            String token = null;
            while (out.size() < limit) {
                ListObjectsV2Response page = s3.listObjectsV2(ListObjectsV2Request.builder()
                        .bucket(bucket).prefix(prefix).continuationToken(token)
                        .maxKeys(Math.min(1000, limit - out.size())).build());
                for (S3Object o : page.contents()) {
                    if (!o.key().endsWith("/") && out.size() < limit) {
                        out.add(new ObjectInfo(o.key(), o.size(), unquote(o.eTag())));
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
                if (token == null) {
                    break;
                }
            }
        } catch (SdkException e) {
            throw failure("listing " + location() + "/" + prefix, e);
        }
        return out;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new ObjectInfo(key, head.contentLength(), unquote(head.eTag())));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("reading metadata of " + location() + "/" + key, e);
        } catch (SdkException e) {
            throw failure("reading metadata of " + location() + "/" + key, e);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return new SdkFailuresAsIo(s3.getObject(b -> b.bucket(bucket).key(key)), location() + "/" + key);
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(location(), key);
        } catch (SdkException e) {
            throw failure("reading " + location() + "/" + key, e);
        }
    }

    @Override
    public Optional<StoredBytes> read(String key) throws IOException {
        try {
            ResponseBytes<GetObjectResponse> r = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            return Optional.of(new StoredBytes(r.asByteArray(), unquote(r.response().eTag())));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure("reading " + location() + "/" + key, e);
        }
    }

    @Override
    public Optional<byte[]> readRange(String key, long offset, int length) throws IOException {
        try {
            ResponseBytes<GetObjectResponse> r = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)
                    .range("bytes=" + offset + "-" + (offset + length - 1)));
            byte[] bytes = r.asByteArray();
            if (bytes.length != length) {
                throw new java.io.EOFException(location() + "/" + key + " ends before byte " + (offset + length));
            }
            return Optional.of(bytes);
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 416) { // the range starts past the end
                throw new java.io.EOFException(location() + "/" + key + " ends before byte " + (offset + length));
            }
            throw failure("reading " + location() + "/" + key + " from byte " + offset, e);
        } catch (SdkException e) {
            throw failure("reading " + location() + "/" + key + " from byte " + offset, e);
        }
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) throws IOException {
        try {
            s3.putObject(request(key, contentType).build(), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw failure("writing " + location() + "/" + key, e);
        }
    }

    @Override
    public void put(String key, Path file, String contentType) throws IOException {
        try {
            s3.putObject(request(key, contentType).build(), RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw failure("writing " + location() + "/" + key, e);
        }
    }

    @Override
    public String putIfUnchanged(String key, byte[] bytes, String expectedEtag, String contentType) throws IOException {
        PutObjectRequest.Builder req = request(key, contentType);
        if (expectedEtag == null) {
            req.ifNoneMatch("*");
        } else {
            req.ifMatch("\"" + expectedEtag + "\"");
        }
        try {
            return unquote(s3.putObject(req.build(), RequestBody.fromBytes(bytes)).eTag());
        } catch (S3Exception e) {
            // 412: the precondition failed; 409: a concurrent conditional write is in flight on the same key;
            // NoSuchKey on If-Match: the version expected was deleted meanwhile (a commit turn given back while another
            // run claimed it: the soak saw it), as lost a race as a 412. A missing bucket (NoSuchBucket, also a 404)
            // is no race: storage trouble, as any other failure
            if (e.statusCode() == 412 || e.statusCode() == 409 || expectedEtag != null && isNoSuchKey(e)) {
                throw new ConcurrentUpdateException(key);
            }
            throw failure("writing " + location() + "/" + key, e);
        } catch (SdkException e) {
            throw failure("writing " + location() + "/" + key, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw failure("deleting " + location() + "/" + key, e);
        }
    }

    private static boolean isNoSuchKey(S3Exception e) {
        return e instanceof NoSuchKeyException
                || e.awsErrorDetails() != null && "NoSuchKey".equals(e.awsErrorDetails().errorCode());
    }

    /**
     * 403 is a refusal that lasts until the policy or role changes (a deployment error); everything else the
     * SDK throws (no connection, timeouts, throttling, 5xx after the SDK's own retries) is storage trouble.
     */
    private static IOException failure(String what, SdkException e) {
        if (e instanceof S3Exception s3 && s3.statusCode() == 403) {
            return new StoreAccessDeniedException(what + ": access denied (" + e.getMessage() + ")", e);
        }
        return new IOException(what + ": " + e.getMessage(), e);
    }

    /**
     * The SDK can fail a stream it already returned with an unchecked SdkException (a checksum mismatch, an
     * aborted connection): reading the object is storage I/O, so it fails as I/O, classified like any other.
     */
    private static final class SdkFailuresAsIo extends java.io.FilterInputStream {
        private final String where;

        SdkFailuresAsIo(InputStream in, String where) {
            super(in);
            this.where = where;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (SdkException e) {
                throw failure("reading " + where, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (SdkException e) {
                throw failure("reading " + where, e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return in.skip(n);
            } catch (SdkException e) {
                throw failure("reading " + where, e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } catch (SdkException e) {
                throw failure("closing " + where, e);
            }
        }
    }

    private PutObjectRequest.Builder request(String key, String contentType) {
        return PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType);
    }

    private static String unquote(String etag) {
        if (etag == null) {
            return null;
        }
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }
}
