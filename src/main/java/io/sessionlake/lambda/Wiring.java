package io.sessionlake.lambda;

import io.quarkus.runtime.Startup;
import io.sessionlake.run.Layout;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunSettings;
import io.sessionlake.session.SessionConfig;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.store.S3Store;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the adapters the handlers use from {@link SessionlakeSettings}. The S3 client uses the
 * URL-connection HTTP client (smallest cold start) and the SDK's standard region, credential and endpoint
 * settings, including AWS_ENDPOINT_URL_S3 for S3-compatible servers.
 */
@ApplicationScoped
public class Wiring {

    @Produces
    @Singleton
    S3Client s3Client(SessionlakeSettings settings) {
        return s3Client(settings, UrlConnectionHttpClient.create(), null);
    }

    /** The function's S3 client on {@code http}; {@code credentials} null means the SDK's standard chain. */
    static S3Client s3Client(SessionlakeSettings settings, SdkHttpClient http, AwsCredentialsProvider credentials) {
        var builder = S3Client.builder()
                .httpClient(http)
                .forcePathStyle(settings.s3().pathStyle())
                // plain content-length uploads: aws-chunked bodies buy nothing for whole-object PUTs and
                // some S3-compatible servers mishandle them
                .serviceConfiguration(c -> c.chunkedEncodingEnabled(false));
        settings.s3().endpoint().ifPresent(builder::endpointOverride);
        if (credentials != null) {
            builder.credentialsProvider(credentials);
        }
        return builder.build();
    }

    @Produces
    @Singleton
    ObjectStore store(S3Client s3, SessionlakeSettings settings) {
        String bucket = settings.bucket().orElseThrow(() -> new IllegalStateException(
                "sessionlake.bucket is not set: set the SESSIONLAKE_BUCKET environment variable of the function"));
        return new S3Store(s3, bucket);
    }

    /** Built at startup, so that a function with settings it refuses fails to start instead of failing runs. */
    @Produces
    @Singleton
    @Startup
    RunSettings runSettings(SessionlakeSettings s) {
        Layout.checkInputPrefix(s.inputPrefix(), "sessionlake.input-prefix (environment variable SESSIONLAKE_INPUT_PREFIX)");
        RunSettings.checkMaxLineBytes(s.maxLineBytes(),
                "sessionlake.max-line-bytes (environment variable SESSIONLAKE_MAX_LINE_BYTES)");
        s.stateCacheBytes().ifPresent(b -> RunSettings.checkStateCacheBytes(b,
                "sessionlake.state-cache-bytes (environment variable SESSIONLAKE_STATE_CACHE_BYTES)"));
        return new RunSettings(s.inputPrefix(), new SessionConfig(s.inactivity(), s.horizon()), s.maxLineBytes(),
                CompressionCodecName.valueOf(s.parquetCodec()), s.maxCommitAttempts(),
                s.stateCacheBytes().map(java.util.OptionalLong::of).orElseGet(java.util.OptionalLong::empty));
    }

    @Produces
    @Singleton
    ObjectProcessor processor(ObjectStore store, RunSettings settings) {
        return new ObjectProcessor(store, settings, Clock.systemUTC());
    }
}
