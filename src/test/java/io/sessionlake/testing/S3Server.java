package io.sessionlake.testing;

import java.net.URI;
import io.sessionlake.store.S3Store;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** A real S3 protocol server (S3Proxy, in-memory) in the test JVM, on a free port. */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret";

    private static S3Server shared;

    private final BlobStore store;
    private final S3Proxy proxy;
    private final AtomicInteger buckets = new AtomicInteger();
    private S3Client sharedClient;

    private S3Server(BlobStore store, S3Proxy proxy) {
        this.store = store;
        this.proxy = proxy;
    }

    public static S3Server start() throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.identity", ACCESS_KEY);
        props.setProperty("jclouds.credential", SECRET_KEY);
        BlobStore store = new AtomicIfMatchBlobStore(BlobStores.create("transient-nio2", props));
        S3Proxy proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("S3Proxy did not start within 30 s");
            }
            Thread.sleep(5);
        }
        return new S3Server(store, proxy);
    }

    /** One server for the whole test JVM: starting one per test class costs a second each time. */
    public static synchronized S3Server shared() throws Exception {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /** A new empty bucket (a fresh name each call) behind the product's S3 adapter. */
    public synchronized S3Store newBucket(String prefix) {
        if (sharedClient == null) {
            sharedClient = client();
        }
        String name = prefix + "-" + buckets.incrementAndGet();
        createBucket(name);
        return new S3Store(sharedClient, name);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    public void createBucket(String name) {
        store.createContainer(name);
    }

    /** A client as the product builds it, pointed at this server; retries off so every outcome is visible. */
    public S3Client client(ExecutionInterceptor... interceptors) {
        return clientAt(endpoint(), interceptors);
    }

    /**
     * A client with the SDK's default retries (standard mode, 3 attempts), as the function builds its own: for
     * tests that run the functions as deployed. The others make one attempt, so that a failure shows.
     */
    public S3Client clientWithSdkRetries() {
        return builderAt(endpoint()).build();
    }

    /** The same client pointed at any endpoint: a closed port stands for an unreachable S3. */
    public static S3Client clientAt(URI endpoint, ExecutionInterceptor... interceptors) {
        return builderAt(endpoint)
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1))
                        .executionInterceptors(java.util.List.of(interceptors)))
                .build();
    }

    private static software.amazon.awssdk.services.s3.S3ClientBuilder builderAt(URI endpoint) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .serviceConfiguration(c -> c.chunkedEncodingEnabled(false))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create());
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
