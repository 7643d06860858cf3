package io.sessionlake.lambda;

import io.quarkus.runtime.Startup;
import io.sessionlake.feed.EventTypes;
import io.sessionlake.run.Layout;
import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.ObjectStore;
import io.sessionlake.store.S3Store;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Runs the function's own paths once at init, against an S3 bucket held in memory ({@link InMemoryS3}: the SDK's
 * whole request path, no connection, nothing of the real bucket read or written), so that the first real event
 * does not pay for loading and initialising them. The processor runs a three-line object through the pipeline
 * (parse, sessionize, both Parquet tables, state commit, metrics, run report); the API answers GET /health and
 * GET /metrics/orders. Init is where Quarkus starts the application under Lambda (its SnapStart support,
 * quarkus.snapstart.full-warmup), so this happens before the first poll on every deploy.
 *
 * <p>Under SnapStart, Lambda runs init once per published version and calls {@link #beforeCheckpoint} before it
 * takes the snapshot; that time is no caller's wait, so it primes further: the processor runs a
 * {@value #WARM_UP_LINES}-line object {@value #WARM_UP_RUNS} times so the JIT has compiled the hot paths into the
 * snapshot, and the API also runs POST /runs and GET /runs/{id}. Nothing needs refreshing in
 * {@link #afterRestore}: see there.
 */
@Singleton
@Startup
public class Priming implements Resource {
    private static final Logger LOG = Logger.getLogger(Priming.class);
    static final String BUCKET = "sessionlake-priming";
    static final int WARM_UP_LINES = 2_000;
    static final int WARM_UP_RUNS = 4;
    /** A page view, a search and an order of one customer: every column and both tables get a value. */
    private static final String OBJECT = """
            {"id": 1, "type": "page_view", "event": {"customer-id": 1, "timestamp": "2022-04-01T10:00:00.000000", \
            "user-agent": "priming", "ip": "10.0.0.1", "page": "https://example.com/", "referrer": "https://www.example.org/"}}
            {"id": 2, "type": "search", "event": {"customer-id": 1, "timestamp": "2022-04-01T10:01:00", "query": "lamp"}}
            {"id": 3, "type": "placed_order", "event": {"customer-id": 1, "timestamp": "2022-04-01T10:02:00+00:00"}}
            """;

    private final RunSettings settings;
    private final SessionlakeSettings config;
    private final String handler;
    /** What the priming did, in order; empty when this function does not prime or nothing has run yet. */
    private final List<Primed> primed = new ArrayList<>();

    /** One priming step: where it ran (startup, checkpoint), what (a run, an API route), its outcome and time. */
    public record Primed(String phase, String what, String outcome, RunReport report, long millis) {
    }

    /**
     * {@code store} is the real bucket, unused here: injecting it builds the S3 client at init rather than in
     * the first invocation (and, under SnapStart, into the snapshot: the SDK resolves credentials and opens
     * connections only at its first request, after the restore).
     */
    Priming(RunSettings settings, SessionlakeSettings config, ObjectStore store,
            @ConfigProperty(name = "quarkus.lambda.handler") String handler) {
        this.settings = settings;
        this.config = config;
        this.handler = handler;
    }

    @PostConstruct
    void atStartup() {
        prime("startup", false);
        // Lambda's runtime bridges org.crac to its own hooks (-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac);
        // elsewhere the registration is kept and never called.
        Core.getGlobalContext().register(this);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime("checkpoint", true);
    }

    /**
     * Nothing to refresh, checked: run ids come from the object's key and ETag, not from a random source; the
     * clock is read per run; the priming's S3 clients and their in-memory buckets are gone, and the real S3
     * client has made no request before the snapshot, so it holds no connection, resolved credentials or DNS
     * answer; the priming's temporary folders were removed by the runs themselves.
     */
    @Override
    public void afterRestore(Context<? extends Resource> context) {
        LOG.debug("restored from a snapshot; nothing to refresh");
    }

    /** What the priming did so far, for tests and diagnosis. */
    public synchronized List<Primed> primed() {
        return List.copyOf(primed);
    }

    /** The report of the last priming run of the pipeline; null when there was none. */
    public synchronized RunReport report() {
        for (int i = primed.size() - 1; i >= 0; i--) {
            if (primed.get(i).report() != null) {
                return primed.get(i).report();
            }
        }
        return null;
    }

    private void prime(String phase, boolean thorough) {
        long t0 = System.nanoTime();
        if ("s3-events".equals(handler)) {
            run(phase, OBJECT);
            for (int i = 0; thorough && i < WARM_UP_RUNS; i++) {
                run(phase, warmUpObject());
            }
        } else if ("api".equals(handler)) {
            api(phase, thorough);
        }
        LOG.infof("primed %s in %d ms", thorough ? "before the snapshot" : "at startup", millisSince(t0));
    }

    /** One run of the pipeline over a fresh in-memory bucket holding only {@code object}. */
    private void run(String phase, String object) {
        long t0 = System.nanoTime();
        InMemoryS3 memory = new InMemoryS3(BUCKET);
        try (S3Client s3 = primingClient(memory)) {
            ObjectStore store = new S3Store(s3, BUCKET);
            String key = settings.inputPrefix() + "priming.jsonl";
            store.put(key, object.getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
            RunReport report = new ObjectProcessor(store, settings, Clock.systemUTC()).process(key);
            if (report.outcome() != RunReport.Outcome.SUCCEEDED) {
                // the function still starts: priming only saves time, a real run reports its own failure
                LOG.warnf("priming run did not succeed: %s", report.error());
            }
            record(new Primed(phase, "run", report.outcome().code(), report, millisSince(t0)));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("priming failed (the first object pays for the start-up instead): %s", e.toString());
            record(new Primed(phase, "run", "failed: " + e, null, millisSince(t0)));
        }
    }

    /**
     * The API's read routes over an in-memory bucket with a metrics object; thorough: POST /runs of one object
     * and GET /runs/{id} of its report too.
     */
    private void api(String phase, boolean thorough) {
        InMemoryS3 memory = new InMemoryS3(BUCKET);
        try (S3Client s3 = primingClient(memory)) {
            ObjectStore store = new S3Store(s3, BUCKET);
            store.put(Layout.METRICS_KEY, "{\"sessions\": 0}".getBytes(StandardCharsets.UTF_8), "application/json");
            ApiRouter router = new ApiRouter(store, new ObjectProcessor(store, settings, Clock.systemUTC()), settings,
                    BUCKET, config.api().maxObjectsPerRequest());
            route(phase, router, "GET", "/health", null);
            route(phase, router, "GET", "/metrics/orders", null);
            if (thorough) {
                String key = settings.inputPrefix() + "priming.jsonl";
                store.put(key, OBJECT.getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
                route(phase, router, "POST", "/runs", "{\"keys\": [\"" + key + "\"]}");
                String runId = io.sessionlake.run.RunIds.of(key, store.stat(key).orElseThrow().etag());
                route(phase, router, "GET", "/runs/" + runId, null);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("priming failed (the first request pays for the start-up instead): %s", e.toString());
            record(new Primed(phase, "api", "failed: " + e, null, 0));
        }
    }

    private void route(String phase, ApiRouter router, String method, String path, String body) {
        long t0 = System.nanoTime();
        ApiResponse response = router.handle(method, path, body);
        response.toGatewayResponse();
        record(new Primed(phase, method + " " + (path.startsWith("/runs/") ? "/runs/{id}" : path),
                Integer.toString(response.status()), null, millisSince(t0)));
    }

    /**
     * The client the function uses ({@link Wiring#s3Client}, same settings) on the in-memory bucket, with fixed
     * credentials: the real credential chain is not consulted before the snapshot.
     */
    private S3Client primingClient(InMemoryS3 memory) {
        return Wiring.s3Client(config, memory,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")));
    }

    /** Lines of many customers and every event type over a few days, so each path of the pipeline runs hot. */
    static String warmUpObject() {
        String[] types = {EventTypes.PAGE_VIEW, EventTypes.SEARCH, EventTypes.ADD_TO_CART, EventTypes.PAGE_VIEW,
                EventTypes.REMOVE_FROM_CART, EventTypes.PLACED_ORDER};
        StringBuilder b = new StringBuilder(WARM_UP_LINES * 200);
        long start = java.time.LocalDateTime.of(2022, 4, 1, 0, 0).toEpochSecond(java.time.ZoneOffset.UTC);
        for (int i = 0; i < WARM_UP_LINES; i++) {
            String time = java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                    java.time.LocalDateTime.ofEpochSecond(start + i * 97L, 0, java.time.ZoneOffset.UTC));
            String type = types[i % types.length];
            b.append("{\"id\": ").append(i + 1).append(", \"type\": \"").append(type)
                    .append("\", \"event\": {\"customer-id\": ").append(i % 64).append(", \"timestamp\": \"").append(time)
                    .append("\", \"user-agent\": \"priming\", \"ip\": \"10.0.").append(i % 7).append(".1\"");
            switch (type) {
                case EventTypes.PAGE_VIEW -> b.append(", \"page\": \"https://example.com/p/").append(i % 31)
                        .append("\", \"referrer\": \"https://www.example.org/\"");
                case EventTypes.SEARCH -> b.append(", \"query\": \"lamp ").append(i % 13).append('"');
                case EventTypes.ADD_TO_CART, EventTypes.REMOVE_FROM_CART -> b.append(", \"product\": ").append(i % 17);
                default -> { }
            }
            b.append("}}\n");
        }
        return b.toString();
    }

    private synchronized void record(Primed p) {
        primed.add(p);
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
