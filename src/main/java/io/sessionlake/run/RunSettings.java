package io.sessionlake.run;

import io.sessionlake.session.SessionConfig;
import java.util.OptionalLong;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/** How runs behave; every field maps to a documented {@code sessionlake.*} setting. */
public record RunSettings(
        String inputPrefix,
        SessionConfig sessions,
        int maxLineBytes,
        CompressionCodecName parquetCodec,
        int maxCommitAttempts,
        OptionalLong stateCacheBytes) {

    /** A line never held whole is still held up to this many bytes, in each of a few blocks in flight. */
    public static final int MAX_LINE_BYTES_LIMIT = 64 << 20;

    public RunSettings {
        Layout.checkInputPrefix(inputPrefix, "the input prefix");
        checkMaxLineBytes(maxLineBytes, "max-line-bytes");
        stateCacheBytes.ifPresent(b -> checkStateCacheBytes(b, "state-cache-bytes"));
    }

    /** With the state cache sized from the heap ({@code stateCacheBytes} empty: the default). */
    public RunSettings(String inputPrefix, SessionConfig sessions, int maxLineBytes, CompressionCodecName parquetCodec,
            int maxCommitAttempts) {
        this(inputPrefix, sessions, maxLineBytes, parquetCodec, maxCommitAttempts, OptionalLong.empty());
    }

    /**
     * @throws ConfigurationException when negative; 0 turns the cache of state leaves off (every run reads the leaves
     *     it needs from the store)
     */
    public static long checkStateCacheBytes(long bytes, String setting) {
        if (bytes < 0) {
            throw new ConfigurationException(setting, "is " + bytes + ": it must be 0 (no cache of state leaves) or a"
                    + " number of bytes; leave it unset for the default, a twelfth of the heap and at most 256 MB");
        }
        return bytes;
    }

    /** @throws ConfigurationException unless 1 <= maxLineBytes <= 64 MiB */
    public static int checkMaxLineBytes(int maxLineBytes, String setting) {
        if (maxLineBytes < 1 || maxLineBytes > MAX_LINE_BYTES_LIMIT) {
            throw new ConfigurationException(setting, "is " + maxLineBytes + ": it must be between 1 and "
                    + MAX_LINE_BYTES_LIMIT + " (64 MiB; a few blocks of that size are in memory while an object is read)");
        }
        return maxLineBytes;
    }

    /**
     * A limit of 5 made one run in thirty of a soak with two busy processors give up, although nothing was wrong: a
     * run longer than those beside it loses each race to whichever finishes first. With the commit turn a run wins
     * within a few attempts once it has lost three (the soak needs at most 4); 25 leaves room for runs of versions
     * that read no turn, while a run under no contention still makes one attempt. Giving up is not safer than
     * redoing: Lambda would retry the whole run a minute later anyway.
     */
    public static final int DEFAULT_MAX_COMMIT_ATTEMPTS = 25;

    public static RunSettings defaults() {
        return new RunSettings("events/", SessionConfig.DEFAULT, 1 << 20, CompressionCodecName.SNAPPY,
                DEFAULT_MAX_COMMIT_ATTEMPTS, OptionalLong.empty());
    }

    public RunSettings withSessions(SessionConfig config) {
        return new RunSettings(inputPrefix, config, maxLineBytes, parquetCodec, maxCommitAttempts, stateCacheBytes);
    }

    public RunSettings withInputPrefix(String prefix) {
        return new RunSettings(prefix, sessions, maxLineBytes, parquetCodec, maxCommitAttempts, stateCacheBytes);
    }

    /** @param bytes the budget of the processor's cache of state leaves; 0 turns it off */
    public RunSettings withStateCacheBytes(long bytes) {
        return new RunSettings(inputPrefix, sessions, maxLineBytes, parquetCodec, maxCommitAttempts,
                OptionalLong.of(bytes));
    }
}
