package io.sessionlake.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * target/function.zip started as AWS's managed Java runtime (java17/java21/java25) starts it: a JVM of its own with
 * the runtime interface client as main class and only the runtime's jars on the class path (the client loads
 * the task root and its lib/*.jar itself), Lambda's environment and nothing inherited, the JVM flags the
 * managed runtime passes, and the template's environment for the function. Output (stdout and stderr, as
 * CloudWatch receives them) is kept line by line.
 */
public final class ManagedJavaRuntime implements AutoCloseable {
    /** The handler the template names for the JVM variant. */
    public static final String HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";
    public static final int MEMORY_MB = 2048;
    /**
     * -Dmanaged-runtime.native=true: function.zip is the native variant (./mvnw package -Dnative), started as
     * provided.al2023 starts it: its {@code bootstrap}, with the template's environment for Variant=native.
     */
    public static final boolean NATIVE = Boolean.getBoolean("managed-runtime.native");
    private static final Path TEMPLATE = Path.of("infra", "template.yaml");
    private static final java.util.concurrent.atomic.AtomicInteger LAUNCHES = new java.util.concurrent.atomic.AtomicInteger();

    private final Process process;
    private final long startedNanos;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;

    private ManagedJavaRuntime(Process process, long startedNanos) {
        this.process = process;
        this.startedNanos = startedNanos;
        this.reader = new Thread(() -> drain(process.getInputStream()), "function-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Unzips the function package into {@code taskRoot} (Lambda's /var/task). */
    public static Path unzip(Path functionZip, Path taskRoot) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(functionZip))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = taskRoot.resolve(e.getName()).normalize();
                if (!target.startsWith(taskRoot)) {
                    throw new IOException("zip entry outside the task root: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target);
                }
            }
        }
        return taskRoot;
    }

    /**
     * Starts the function. {@code function} is the template's resource (ProcessorFunction, ApiFunction), whose
     * environment and the Globals' are applied; {@code overrides} come last (bucket, S3 endpoint, credentials).
     */
    public static ManagedJavaRuntime start(Path taskRoot, String function, String runtimeApi,
            Map<String, String> overrides) throws IOException {
        return start(taskRoot, function, runtimeApi, overrides, false);
    }

    /**
     * {@code snapStart}: as Lambda initialises a SnapStart version (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start):
     * after init the runtime runs the beforeCheckpoint hooks and calls {@code restore/next}, and runs the
     * afterRestore hooks when that returns. No snapshot is taken: the same process goes on.
     */
    public static ManagedJavaRuntime start(Path taskRoot, String function, String runtimeApi,
            Map<String, String> overrides, boolean snapStart) throws IOException {
        if (snapStart && NATIVE) {
            throw new IllegalArgumentException("the OS-only runtime of the native variant has no SnapStart");
        }
        Map<String, String> templateEnv = templateEnvironment(function, NATIVE);
        String name = "sessionlake-" + function;
        String runtime = templateRuntime();
        List<String> command = NATIVE ? List.of(bootstrap(taskRoot)) : javaCommand(function, runtime, snapStart);
        ProcessBuilder pb = new ProcessBuilder(command).directory(taskRoot.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("LAMBDA_RUNTIME_DIR", taskRoot.toString());
        env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
        env.put("_HANDLER", NATIVE ? "not.used.in.provided.runtime" : HANDLER);
        if (!NATIVE) {
            env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + runtime);
        }
        env.put("AWS_LAMBDA_FUNCTION_NAME", name);
        // SnapStart runs a published version (the template's alias points at one)
        env.put("AWS_LAMBDA_FUNCTION_VERSION", snapStart ? "1" : "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(MEMORY_MB));
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + name);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]0123456789abcdef");
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", snapStart ? "snap-start" : "on-demand");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.putAll(templateEnv);
        env.putAll(overrides);
        long started = System.nanoTime();
        return new ManagedJavaRuntime(pb.start(), started);
    }

    /**
     * The native variant's executable, as provided.al2023 starts it: {@code bootstrap} in the task root (the zip
     * does not carry its file mode here, so it is made executable).
     */
    private static String bootstrap(Path taskRoot) throws IOException {
        Path bootstrap = taskRoot.resolve("bootstrap");
        if (!Files.isRegularFile(bootstrap)) {
            throw new IllegalStateException("-Dmanaged-runtime.native=true but " + bootstrap
                    + " is missing: build the native variant (./mvnw package -Dnative -Dquarkus.native.container-build=true)");
        }
        if (!bootstrap.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + bootstrap + " executable");
        }
        return bootstrap.toString();
    }

    /**
     * The JDK the function runs on: -Dmanaged-runtime.java-home, or the build's own where that is unset or not
     * installed.
     */
    public static String javaHome() {
        String configured = System.getProperty("managed-runtime.java-home", "");
        return !configured.isEmpty() && Files.isExecutable(Path.of(configured, "bin", "java"))
                ? configured : System.getProperty("java.home");
    }

    /** The managed runtime the template gives the JVM variant (java21, java25). */
    static String templateRuntime() throws IOException {
        Matcher m = Pattern.compile("\\s+Runtime: !If \\[IsNative, [^,]+, (java\\d+)].*").matcher("");
        for (String line : Files.readAllLines(TEMPLATE)) {
            if (m.reset(line).matches()) {
                return m.group(1);
            }
        }
        throw new IllegalStateException("infra/template.yaml names no java runtime the way this harness reads it");
    }

    private static List<String> javaCommand(String function, String runtime, boolean snapStart) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(javaHome(), "bin", "java").toString());
        // more flags for a comparison, before the runtime's; %f becomes the function and the number of this launch
        // in the test JVM, so that each launch finds what the same launch of a training run wrote
        // (-Dmanaged-runtime.jvm-options="-XX:AOTCacheOutput=/tmp/aot/%f.aot", then -XX:AOTCache=/tmp/aot/%f.aot)
        String launch = function + "-" + LAUNCHES.incrementAndGet();
        boolean aotCache = false;
        for (String option : System.getProperty("managed-runtime.jvm-options", "").trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option.replace("%f", launch));
                aotCache |= option.startsWith("-XX:AOTCache");
            }
        }
        // The flags AWS's java17/java21 runtimes pass (heap 85% of the memory size, C1 only, CDS on, CRaC's bridge), as
        // reported from inside the runtime. Left out: -XX:+UseSerialGC, which the java17 runtime was reported
        // to pass too (it would make the template's -XX:+UseParallelGC fail "Multiple garbage collectors
        // selected"; README "Logs"), the runtime's own CDS archive and its log4j hot-patch agent.
        // a JDK 25 AOT cache (-XX:AOTCache, -XX:AOTCacheOutput) replaces the CDS archive: the JVM refuses -Xshare with it
        command.addAll(List.of("-XX:MaxHeapSize=" + (MEMORY_MB * 1024L * 85 / 100) + "k", "-Xshare:auto",
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "--add-opens=java.base/java.io=ALL-UNNAMED",
                // org.crac resources reach the runtime's SnapStart hooks through this (lambda/Priming)
                "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac",
                "-Djava.net.preferIPv4Stack=true", "-XX:+ErrorFileToStderr",
                "-classpath", runtimeClassPath(),
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", HANDLER));
        if (aotCache) {
            command.remove("-Xshare:auto");
        }
        // java25 stops at C1 like java17/java21, except under SnapStart (and provisioned concurrency), where it
        // leaves the JVM's tiered compilation as it is (AWS's "Customize Java runtime startup behavior")
        if (snapStart && !runtime.equals("java17") && !runtime.equals("java21")) {
            command.remove("-XX:TieredStopAtLevel=1");
        }
        return command;
    }

    /** The runtime's own jars, as on /var/runtime/lib: the interface client, its core and serialization. */
    private static String runtimeClassPath() {
        List<String> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String file = Path.of(entry).getFileName().toString();
            if (file.startsWith("aws-lambda-java-runtime-interface-client-") || file.startsWith("aws-lambda-java-core-")
                    || file.startsWith("aws-lambda-java-serialization-") || file.startsWith("utils-lite-")) {
                jars.add(entry);
            }
        }
        if (jars.stream().noneMatch(j -> j.contains("runtime-interface-client"))) {
            throw new IllegalStateException("aws-lambda-java-runtime-interface-client is not on the test class path");
        }
        return String.join(java.io.File.pathSeparator, jars);
    }

    /**
     * The environment infra/template.yaml gives {@code function} in the JVM (or native) variant: Globals first, then
     * the function's own, and AWS_LAMBDA_LOG_FORMAT from the Globals' LoggingConfig; {@code !Ref Parameter} resolves
     * to the parameter's default, {@code !If [IsNative, a, b]} to b (native: a, where {@code !Ref AWS::NoValue} drops
     * the variable), and {@code !Sub} values (the bucket name) are left to the caller.
     */
    static Map<String, String> templateEnvironment(String function) throws IOException {
        return templateEnvironment(function, false);
    }

    static Map<String, String> templateEnvironment(String function, boolean nativeVariant) throws IOException {
        List<String> lines = Files.readAllLines(TEMPLATE);
        Map<String, String> env = new LinkedHashMap<>();
        env.putAll(variablesUnder(lines, "Globals:", "  Function:"));
        env.putAll(variablesUnder(lines, "Resources:", "  " + function + ":"));
        Map<String, String> resolved = new LinkedHashMap<>();
        Pattern ref = Pattern.compile("!Ref (\\w+)");
        Pattern variantBranches = Pattern.compile("!If \\[IsNative, ([^,]+), (.+)]");
        for (var e : env.entrySet()) {
            String v = e.getValue();
            Matcher m = variantBranches.matcher(v);
            if (m.matches()) {
                v = m.group(nativeVariant ? 1 : 2).trim();
            }
            if (v.equals("!Ref AWS::NoValue")) {
                continue;
            }
            m = ref.matcher(v);
            if (m.matches()) {
                v = parameterDefault(lines, m.group(1));
            }
            if (v.startsWith("!")) {
                continue;
            }
            resolved.put(e.getKey(), unquote(v));
        }
        // LoggingConfig.LogFormat reaches the runtime as AWS_LAMBDA_LOG_FORMAT (JSON or Text)
        for (int i = indexFrom(lines, 0, "Globals:"); i < indexFrom(lines, 0, "Resources:"); i++) {
            Matcher m = Pattern.compile("\\s+LogFormat:\\s*(\\w+).*").matcher(lines.get(i));
            if (m.matches()) {
                resolved.put("AWS_LAMBDA_LOG_FORMAT", m.group(1));
            }
        }
        if (nativeVariant == resolved.containsKey("JAVA_TOOL_OPTIONS") || !resolved.containsKey("QUARKUS_LAMBDA_HANDLER")) {
            throw new IllegalStateException("the template no longer gives " + function
                    + " JAVA_TOOL_OPTIONS and QUARKUS_LAMBDA_HANDLER the way this harness reads them: " + resolved);
        }
        return resolved;
    }

    /** Key: value pairs under the first "Variables:" found after {@code section} then {@code block}. */
    private static Map<String, String> variablesUnder(List<String> lines, String section, String block) {
        int i = indexFrom(lines, 0, section);
        i = indexFrom(lines, i, block);
        i = indexFrom(lines, i, "Variables:");
        int indent = lines.get(i).indexOf("Variables:");
        Map<String, String> vars = new LinkedHashMap<>();
        Pattern kv = Pattern.compile("\\s+([A-Z_][A-Z0-9_]*):\\s*(.+)");
        for (int j = i + 1; j < lines.size(); j++) {
            String line = lines.get(j);
            if (line.isBlank() || line.trim().startsWith("#")) {
                continue;
            }
            if (line.length() - line.stripLeading().length() <= indent) {
                break;
            }
            Matcher m = kv.matcher(line);
            if (m.matches()) {
                vars.put(m.group(1), m.group(2).trim());
            }
        }
        return vars;
    }

    private static String parameterDefault(List<String> lines, String parameter) {
        int i = indexFrom(lines, indexFrom(lines, 0, "Parameters:"), "  " + parameter + ":");
        int j = indexFrom(lines, i, "    Default:");
        return lines.get(j).substring(lines.get(j).indexOf("Default:") + "Default:".length()).trim();
    }

    /** The first line from {@code from} that starts with {@code prefix} (indentation included), or "Variables:". */
    private static int indexFrom(List<String> lines, int from, String prefix) {
        for (int i = from; i < lines.size(); i++) {
            String line = lines.get(i);
            if (prefix.equals("Variables:") ? line.trim().equals(prefix) : line.startsWith(prefix)) {
                return i;
            }
        }
        throw new IllegalStateException("infra/template.yaml has no '" + prefix.trim() + "' after line " + from);
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    private void drain(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                output.add(line);
            }
        } catch (IOException e) {
            output.add("<<harness: reading the function's output failed: " + e + ">>");
        }
    }

    public long pid() {
        return process.pid();
    }

    /** System.nanoTime() just before the process was started. */
    public long startedNanos() {
        return startedNanos;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The peak resident set size so far (VmHWM), in KiB; -1 where /proc is not available. */
    public long peakRssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Stops the function as Lambda does at shutdown (SIGTERM, then SIGKILL) and returns every line it printed,
     * up to its exit. The signal goes through the process handle: Process.destroy() would also close the
     * output pipe and lose what the function prints while it shuts down.
     */
    public List<String> stop() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.toHandle().destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(10_000);
        return output();
    }

    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    public String outputText() {
        return output().stream().collect(Collectors.joining("\n"));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
