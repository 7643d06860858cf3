package io.sessionlake.lambda;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sessionlake.testing.S3Server;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Starts an S3 protocol server in the test JVM before Quarkus boots and points the functions at it, the way
 * a deployment points them at S3: bucket, endpoint and path-style through sessionlake.* settings, credentials
 * and region through the SDK's standard system properties.
 */
public class S3ProxyResource implements QuarkusTestResourceLifecycleManager {
    static final String BUCKET = "sessionlake-test";
    private static S3Server server;

    @Override
    public Map<String, String> start() {
        try {
            server = S3Server.start();
            server.createBucket(BUCKET);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the S3 test server", e);
        }
        System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
        System.setProperty("aws.region", "us-east-1");
        return Map.of("sessionlake.bucket", BUCKET,
                "sessionlake.s3.endpoint", server.endpoint().toString(),
                "sessionlake.s3.path-style", "true");
    }

    static S3Client client() {
        return server.client();
    }

    @Override
    public void stop() {
        try {
            server.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
