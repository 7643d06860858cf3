package io.sessionlake.cli;

import io.sessionlake.run.Layout;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.LocalFolderStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code demo}: copies the bundled sample feed into a local bucket folder, processes it object by object
 * as S3 events would, and prints where the output is and the metrics. Running it again processes nothing
 * new: every object is already in the ledger.
 */
final class DemoCommand {
    private static final String SAMPLE = "/sample/";

    private DemoCommand() {
    }

    static int run(Args args, PrintStream out) throws IOException {
        Path bucket = Path.of(args.optional("bucket", "local-bucket")).toAbsolutePath();
        args.rejectUnknown();
        int copied = copySample(bucket.resolve("events"));
        out.printf("sample feed: %d objects in %s%n", copied, bucket.resolve("events"));
        LocalFolderStore store = new LocalFolderStore(bucket);
        var reports = ProcessCommand.processAll(store, RunSettings.defaults(), out);
        out.println();
        out.println("output in " + bucket + ":");
        for (String dir : new String[] {"sessions/", "clean_events/", "rejected/", "runs/", "metrics/", "state/"}) {
            out.printf("  %-14s %d objects%n", dir, store.list(dir).size());
        }
        out.println();
        out.println("current sessions (DuckDB): SELECT * FROM read_parquet('" + bucket
                + "/sessions/*/*.parquet', hive_partitioning=true) QUALIFY row_number() OVER"
                + " (PARTITION BY session_id ORDER BY revision DESC) = 1 AND NOT is_deleted;");
        out.println();
        out.println(Layout.METRICS_KEY + ":");
        out.println(new String(store.read(Layout.METRICS_KEY).orElseThrow().bytes(), StandardCharsets.UTF_8));
        return reports.stream().anyMatch(r -> r.error() != null) ? 1 : 0;
    }

    private static int copySample(Path target) throws IOException {
        int n = 0;
        try (InputStream index = DemoCommand.class.getResourceAsStream(SAMPLE + "index.txt")) {
            if (index == null) {
                throw new IOException("the sample feed is missing from the jar (sample/index.txt)");
            }
            BufferedReader names = new BufferedReader(new InputStreamReader(index, StandardCharsets.UTF_8));
            for (String name = names.readLine(); name != null; name = names.readLine()) {
                if (name.isBlank()) {
                    continue;
                }
                Path file = target.resolve(name);
                Files.createDirectories(file.getParent());
                try (InputStream in = DemoCommand.class.getResourceAsStream(SAMPLE + "events/" + name)) {
                    if (in == null) {
                        throw new IOException("sample object " + name + " is listed but missing from the jar");
                    }
                    if (!Files.exists(file)) {
                        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                n++;
            }
        }
        return n;
    }
}
