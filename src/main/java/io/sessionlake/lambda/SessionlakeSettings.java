package io.sessionlake.lambda;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code sessionlake.*} settings of the Lambda functions (application.properties; each one can be
 * overridden by an environment variable such as SESSIONLAKE_BUCKET). Documented in README.
 */
@ConfigMapping(prefix = "sessionlake")
public interface SessionlakeSettings {
    /** The bucket that holds input and output. */
    Optional<String> bucket();

    @WithDefault("events/")
    String inputPrefix();

    @WithDefault("PT30M")
    Duration inactivity();

    @WithDefault("P7D")
    Duration horizon();

    @WithDefault("1048576")
    int maxLineBytes();

    @WithDefault("SNAPPY")
    String parquetCodec();

    @WithDefault("5")
    int maxCommitAttempts();

    /**
     * Bytes of state leaves a warm function keeps between runs; 0 turns the cache off. Unset: a twelfth of the heap,
     * at most 256 MB.
     */
    Optional<Long> stateCacheBytes();

    S3 s3();

    Api api();

    /** How to reach S3; region and credentials come from the SDK's standard chain. */
    interface S3 {
        /** Path-style addressing, for S3-compatible servers without virtual-host buckets. */
        @WithDefault("false")
        boolean pathStyle();

        /** An S3-compatible endpoint; unset means AWS (the SDK also honours AWS_ENDPOINT_URL_S3). */
        Optional<java.net.URI> endpoint();
    }

    interface Api {
        /** POST /runs waits for its runs, so one request may only name this many objects. */
        @WithDefault("10")
        int maxObjectsPerRequest();
    }
}
