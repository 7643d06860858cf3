package io.sessionlake.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A single-node Trino server in its own JVM, from the io.trino:trino-server tarball that Maven resolved: coordinator
 * and worker on 127.0.0.1, one catalog {@code hive} (Hive connector, file metastore, local file system rooted at
 * {@link #root()}). Stopped by its PID in {@link #close()}, or by a shutdown hook if the test JVM ends first.
 */
public final class TrinoServer implements AutoCloseable {
    private static final Duration STARTUP_LIMIT = Duration.ofMinutes(3);
    /** Only what a server with the Hive connector loads: the rest of the 821 MB tarball stays packed. */
    private static final List<String> NEEDED_DIRS = List.of("lib/", "plugin/hive/");

    private final Process process;
    private final Thread shutdownHook;
    private final Path root;
    private final Path log;
    private final int port;

    private TrinoServer(Process process, Thread shutdownHook, Path root, Path log, int port) {
        this.process = process;
        this.shutdownHook = shutdownHook;
        this.root = root;
        this.log = log;
        this.port = port;
    }

    /**
     * Unpacks the server into {@code installParent} (once: a later build finds it there), writes a fresh
     * configuration under {@code runDir} and starts the server with {@code java} (Java 22 or newer); returns once
     * {@code /v1/info} says it has started.
     */
    public static TrinoServer start(Path tarball, Path java, Path installParent, Path runDir)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(tarball)) {
            throw new IllegalStateException("no Trino server tarball at " + tarball
                    + ": run through Maven (./mvnw verify), which resolves io.trino:trino-server:tar.gz");
        }
        if (!Files.isExecutable(java)) {
            throw new IllegalStateException("no Java 22+ at " + java + " to run Trino: set -Dtrino.java=/path/to/bin/java");
        }
        Path install = unpackOnce(tarball, installParent);
        deleteTree(runDir);
        Path root = runDir.resolve("fs").toAbsolutePath();
        Files.createDirectories(root.resolve("metastore"));
        Files.createDirectories(runDir.resolve("etc/catalog"));
        int port = freePort();
        Files.writeString(runDir.resolve("etc/config.properties"), String.join("\n",
                "coordinator=true",
                "node-scheduler.include-coordinator=true",
                "http-server.http.port=" + port,
                "discovery.uri=http://127.0.0.1:" + port,
                "node.environment=sessionlake_test",
                "node.id=sessionlake-test",
                "node.bind-ip=127.0.0.1",
                "node.internal-address=127.0.0.1",
                "plugin.dir=" + install.resolve("plugin").toAbsolutePath(),
                "http-server.log.enabled=false",
                "web-ui.enabled=false",
                "task.concurrency=2",
                "") );
        // Athena's defaults for Hive tables: timestamps with millisecond precision, the session time zone UTC
        Files.writeString(runDir.resolve("etc/catalog/hive.properties"), String.join("\n",
                "connector.name=hive",
                "hive.metastore=file",
                "hive.metastore.catalog.dir=local:///metastore",
                "fs.native-local.enabled=true",
                "local.location=" + root,
                ""));
        Path log = runDir.resolve("server.log").toAbsolutePath();
        Process process = new ProcessBuilder(java.toString(),
                // a short-lived server on 2 busy cores: C1 only and the serial collector halve its CPU time
                "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", "-XX:+EnableDynamicAgentLoading",
                "-Djdk.attach.allowAttachSelf=true", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Duser.timezone=UTC", "-Dfile.encoding=UTF-8",
                "-Dconfig=etc/config.properties",
                "-cp", install.resolve("lib").toAbsolutePath() + "/*", "io.trino.server.TrinoServer")
                .directory(runDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Thread hook = new Thread(() -> stop(process), "trino-server-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        TrinoServer server = new TrinoServer(process, hook, root, log, port);
        try {
            server.awaitStarted();
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The folder that {@code local:///} names in table and schema locations. */
    public Path root() {
        return root;
    }

    public long pid() {
        return process.pid();
    }

    /** CPU time the server's process has used so far, if the operating system tells. */
    public java.util.Optional<Duration> cpuTime() {
        return process.info().totalCpuDuration();
    }

    /** A connection to catalog {@code hive} with {@code schema} as the session's default schema. */
    public Connection connect(String schema) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "sessionlake");
        return DriverManager.getConnection("jdbc:trino://127.0.0.1:" + port + "/hive/" + schema, p);
    }

    /** The rows of a query, each column by its label, values as the JDBC driver returns them. */
    public static List<Map<String, Object>> query(Connection c, String sql) throws SQLException {
        return DuckDb.rows(c, sql);
    }

    public static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The last lines of the server's console, for a failure message. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no server log at " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: the server is being stopped anyway
        }
    }

    private static void stop(Process process) {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }

    private void awaitStarted() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest info = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/info"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Trino server exited with code " + process.exitValue()
                        + " while starting; its console (" + log + "):\n" + logTail());
            }
            try {
                HttpResponse<String> r = http.send(info, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().replace(" ", "").contains("\"starting\":false")) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // the HTTP server is not up yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Trino server did not start within " + STARTUP_LIMIT + "; its console ("
                + log + "):\n" + logTail());
    }

    /**
     * Unpacks lib/ and plugin/hive/ of the tarball into {@code parent}/trino-server-VERSION, unless a previous build
     * did. The tarball stores each jar once and the other copies as hard links (plugin/hive's jars link into
     * lib/ and other plugins' folders), so the link targets are unpacked too; the other plugins' folders are then
     * removed, or the server would try to load them.
     */
    private static Path unpackOnce(Path tarball, Path parent) throws IOException, InterruptedException {
        String top = tarball.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
        Path install = parent.resolve(top);
        Path complete = install.resolve(".unpacked-from");
        if (Files.isRegularFile(complete) && Files.readString(complete).equals(tarball.toAbsolutePath().toString())) {
            return install;
        }
        Path staging = parent.resolve(top + ".partial");
        deleteTree(staging);
        deleteTree(install);
        Files.createDirectories(staging);
        Pattern entry = Pattern.compile("^(\\S)\\S*\\s+\\S+\\s+\\d+\\s+\\S+\\s+\\S+\\s+(\\S+)(?: link to (\\S+))?$");
        TreeSet<String> wanted = new TreeSet<>();
        for (String line : run(List.of("tar", "-tvzf", tarball.toString()))) {
            Matcher m = entry.matcher(line);
            if (!m.matches()) {
                throw new IllegalStateException("unexpected line in the listing of " + tarball + ": " + line);
            }
            String name = m.group(2);
            boolean needed = NEEDED_DIRS.stream().anyMatch(d -> name.startsWith(top + "/" + d));
            if (needed && !m.group(1).equals("d")) {
                wanted.add(name);
                if (m.group(3) != null) {
                    wanted.add(m.group(3));
                }
            }
        }
        if (wanted.isEmpty()) {
            throw new IllegalStateException(tarball + " holds no " + top + "/lib/: not a Trino server tarball");
        }
        Path list = staging.resolve("members.txt");
        Files.write(list, wanted);
        run(List.of("tar", "-xzf", tarball.toString(), "-C", staging.toString(), "-T", list.toString()));
        try (Stream<Path> plugins = Files.list(staging.resolve(top).resolve("plugin"))) {
            for (Path p : plugins.toList()) {
                if (!p.getFileName().toString().equals("hive")) {
                    deleteTree(p);
                }
            }
        }
        Files.writeString(staging.resolve(top).resolve(".unpacked-from"), tarball.toAbsolutePath().toString());
        Files.move(staging.resolve(top), install, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(staging);
        return install;
    }

    private static List<String> run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines;
        try (var out = p.inputReader(StandardCharsets.UTF_8)) {
            lines = out.lines().toList();
        }
        int code = p.waitFor();
        if (code != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + code + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
        }
        return lines;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
