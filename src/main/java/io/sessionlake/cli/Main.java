package io.sessionlake.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** The local main job: the same pipeline as the Lambda, with a folder standing in for the bucket. */
public final class Main {
    static final String USAGE = """
            usage: java -jar target/sessionlake-cli.jar <command> [options]
              demo     [--bucket DIR]     process the bundled sample feed into a local bucket folder (default ./local-bucket)
              process  --bucket DIR [--inactivity PT30M] [--horizon P7D] [--input-prefix events/]
                       [--state-cache-bytes N]  (state leaves kept between runs; default a twelfth of the heap, 0: none)
              metrics  --bucket DIR
              generate --out DIR [--customers N --days D --files-per-day F --late-ratio R --dup-ratio R
                                  --bad-lines N --gzip --seed S --start 2022-04-01]
              bench    [--events N] [--runs R] [--gzip] [--dir DIR]  generate ~N events as one object, time R runs of it
            """;

    private Main() {
    }

    public static void main(String[] argv) {
        // Parquet logs through SLF4J; the CLI jar ships no binding on purpose, so keep SLF4J's notice quiet.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("help")) {
            out.print(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        String command = argv[0];
        List<String> rest = Arrays.asList(argv).subList(1, argv.length);
        try {
            return switch (command) {
                case "process" -> ProcessCommand.run(new Args(command, rest, Set.of()), out);
                case "metrics" -> MetricsCommand.run(new Args(command, rest, Set.of()), out);
                case "generate" -> GenerateCommand.run(new Args(command, rest, Set.of("gzip")), out);
                case "demo" -> DemoCommand.run(new Args(command, rest, Set.of()), out);
                case "bench" -> BenchCommand.run(new Args(command, rest, Set.of("gzip")), out);
                default -> throw new Args.UsageException("unknown command '" + command + "'");
            };
        } catch (Args.UsageException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (Exception e) {
            err.println("error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        }
    }
}
