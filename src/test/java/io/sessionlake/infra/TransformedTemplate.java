package io.sessionlake.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * infra/template.yaml after the SAM transform (aws-sam-translator, through check_template.py), with intrinsic
 * functions resolved for the fictitious stack "sessionlake" in account 123456789012, us-east-1. Aborts (skips)
 * the calling test where aws-sam-translator is not installed. Transformed once per test JVM.
 */
public final class TransformedTemplate {
    public static final Path TEMPLATE = Path.of("infra", "template.yaml");
    /** The bucket of that stack, and so of every ARN in its policies. */
    public static final String BUCKET = "sessionlake-123456789012-us-east-1";

    private static JsonNode facts;

    private TransformedTemplate() {
    }

    /** {"codeUris": ..., "variants": {"jvm": resources, "native": resources}}, see check_template.py. */
    public static synchronized JsonNode facts() throws IOException, InterruptedException {
        if (facts == null) {
            Path script;
            try {
                script = Path.of(TransformedTemplate.class.getResource("/infra/check_template.py").toURI());
            } catch (java.net.URISyntaxException e) {
                throw new IllegalStateException(e);
            }
            Output out = exec("python3", script.toString(), TEMPLATE.toString());
            Assumptions.assumeFalse(out.code() == 3, "aws-sam-translator is not installed: " + out.stderr());
            assertEquals(0, out.code(), "check_template.py failed:\n" + out.stderr());
            facts = new ObjectMapper().readTree(out.stdout());
        }
        return facts;
    }

    /** The resources of the JVM variant. */
    public static JsonNode jvm() throws IOException, InterruptedException {
        return facts().get("variants").get("jvm");
    }

    /** The logical id of a function's role; the role ARN resolves to ".../role/<logical id>". */
    public static String roleOf(JsonNode resources, String function) {
        String arn = resources.get(function).get("Properties").get("Role").asText();
        return arn.substring(arn.lastIndexOf('/') + 1);
    }

    record Output(int code, String stdout, String stderr) {
    }

    /** Runs a command in the project directory; aborts the test when the command is not installed. */
    static Output exec(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            Assumptions.abort(command[0] + " is not on the PATH: " + e.getMessage());
            throw e;
        }
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 180 s");
        }
        return new Output(p.exitValue(), out.join(), err.join());
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
