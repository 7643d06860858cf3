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

    /** Path-style S3 addressing, for S3-compatible servers that lack virtual-host buckets. */
    @WithDefault("false")
    boolean s3PathStyle();
}
