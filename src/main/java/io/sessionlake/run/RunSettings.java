package io.sessionlake.run;

import io.sessionlake.session.SessionConfig;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/** How runs behave; every field maps to a documented {@code sessionlake.*} setting. */
public record RunSettings(
        String inputPrefix,
        SessionConfig sessions,
        int maxLineBytes,
        CompressionCodecName parquetCodec,
        int maxCommitAttempts) {

    public static RunSettings defaults() {
        return new RunSettings("events/", SessionConfig.DEFAULT, 1 << 20, CompressionCodecName.SNAPPY, 5);
    }

    public RunSettings withSessions(SessionConfig config) {
        return new RunSettings(inputPrefix, config, maxLineBytes, parquetCodec, maxCommitAttempts);
    }

    public RunSettings withInputPrefix(String prefix) {
        return new RunSettings(prefix, sessions, maxLineBytes, parquetCodec, maxCommitAttempts);
    }
}
