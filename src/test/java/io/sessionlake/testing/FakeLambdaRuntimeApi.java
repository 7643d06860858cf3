package io.sessionlake.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Lambda Runtime API (2018-06-01) as a runtime sees it, on 127.0.0.1: {@code next} hands out queued
 * events with Lambda's headers, {@code response}, {@code error} and {@code init/error} complete them, and
 * {@code restore/next} (SnapStart) returns at once. Each
 * invocation's outcome and timing are handed back as a value ({@link #invoke}); nothing is inferred from the
 * process. Endpoint: {@code AWS_LAMBDA_RUNTIME_API=}{@link #address()}.
 */
public final class FakeLambdaRuntimeApi implements AutoCloseable {
    private static final String PREFIX = "/2018-06-01/runtime/";

    /** What the runtime posted for one event: its status (200 or the error), its body and how long it took. */
    public record Outcome(String requestId, boolean error, String body, String errorType, long nanos) {
    }

    private record Pending(String requestId, byte[] event, long timeoutMillis, CompletableFuture<Outcome> outcome) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-runtime-api");
        t.setDaemon(true);
        return t;
    });
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Map<String, Pending> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Long> dispatchedAt = new ConcurrentHashMap<>();
    private final CompletableFuture<Long> firstPoll = new CompletableFuture<>();
    private final CompletableFuture<Long> restoreNext = new CompletableFuture<>();
    private volatile java.time.Instant firstPollAt;
    private volatile java.time.Instant restoreNextAt;
    private final CompletableFuture<String> initError = new CompletableFuture<>();
    private final String functionArn;

    public FakeLambdaRuntimeApi(String functionName) throws IOException {
        this.functionArn = "arn:aws:lambda:us-east-1:123456789012:function:" + functionName;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext(PREFIX, this::handle);
        server.setExecutor(threads);
        server.start();
    }

    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Completes with System.nanoTime() of the runtime's first {@code next} call: the end of its init phase. */
    public CompletableFuture<Long> firstPoll() {
        return firstPoll;
    }

    /** The wall-clock time of the first {@code next} call, to order it against the function's log lines. */
    public java.time.Instant firstPollAt() {
        return firstPollAt;
    }

    /**
     * Completes with System.nanoTime() of the runtime's {@code restore/next} call: under SnapStart the end of init,
     * where Lambda takes the snapshot (after the runtime ran the beforeCheckpoint hooks). This fake answers it at
     * once, as if the snapshot were taken and restored in no time; the runtime then runs the afterRestore hooks.
     */
    public CompletableFuture<Long> restoreNext() {
        return restoreNext;
    }

    public java.time.Instant restoreNextAt() {
        return restoreNextAt;
    }

    /** Completes with the body of {@code /runtime/init/error}, if the runtime reports one. */
    public CompletableFuture<String> initError() {
        return initError;
    }

    /** Queues one event; the future completes when the runtime posts its response or error. */
    public CompletableFuture<Outcome> invoke(String eventJson, long timeoutMillis) {
        Pending p = new Pending(UUID.randomUUID().toString(), eventJson.getBytes(StandardCharsets.UTF_8),
                timeoutMillis, new CompletableFuture<>());
        queue.add(p);
        return p.outcome();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath().substring(PREFIX.length());
            byte[] body = ex.getRequestBody().readAllBytes();
            if (path.equals("invocation/next") && ex.getRequestMethod().equals("GET")) {
                next(ex);
            } else if (path.equals("restore/next") && ex.getRequestMethod().equals("GET")) {
                restoreNextAt = java.time.Instant.now();
                restoreNext.complete(System.nanoTime());
                reply(ex, 200, "{}");
            } else if (path.equals("restore/error")) {
                initError.complete("restore error: " + new String(body, StandardCharsets.UTF_8));
                reply(ex, 202, "{\"status\":\"OK\"}");
            } else if (path.equals("init/error")) {
                initError.complete(new String(body, StandardCharsets.UTF_8));
                reply(ex, 202, "{\"status\":\"OK\"}");
            } else if (path.startsWith("invocation/")) {
                String[] parts = path.split("/");
                Pending p = parts.length == 3 ? inFlight.remove(parts[1]) : null;
                if (p == null || !(parts[2].equals("response") || parts[2].equals("error"))) {
                    reply(ex, 400, "{\"errorType\":\"InvalidRequestID\"}");
                    return;
                }
                long took = System.nanoTime() - dispatchedAt.remove(p.requestId());
                boolean error = parts[2].equals("error");
                p.outcome().complete(new Outcome(p.requestId(), error, new String(body, StandardCharsets.UTF_8),
                        ex.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type"), took));
                reply(ex, 202, "{\"status\":\"OK\"}");
            } else {
                reply(ex, 404, "{\"errorType\":\"NotFound\"}");
            }
        }
    }

    private void next(HttpExchange ex) throws IOException {
        if (!firstPoll.isDone()) {
            firstPollAt = java.time.Instant.now();
        }
        firstPoll.complete(System.nanoTime());
        Pending p;
        try {
            p = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(ex, 500, "{\"errorType\":\"ShuttingDown\"}");
            return;
        }
        inFlight.put(p.requestId(), p);
        var h = ex.getResponseHeaders();
        h.add("Content-Type", "application/json");
        h.add("Lambda-Runtime-Aws-Request-Id", p.requestId());
        h.add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + p.timeoutMillis()));
        h.add("Lambda-Runtime-Invoked-Function-Arn", functionArn);
        h.add("Lambda-Runtime-Trace-Id", "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000)
                + "-" + p.requestId().replace("-", "").substring(0, 24) + ";Parent=53995c3f42cd8ad8;Sampled=0");
        dispatchedAt.put(p.requestId(), System.nanoTime());
        ex.sendResponseHeaders(200, p.event().length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(p.event());
        }
    }

    private static void reply(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
