package io.sessionlake.cli;

import io.sessionlake.run.Layout;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.store.ObjectStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/** {@code metrics}: prints the metrics object of a bucket folder. */
final class MetricsCommand {
    private MetricsCommand() {
    }

    static int run(Args args, PrintStream out) throws IOException {
        Path bucket = Path.of(args.required("bucket"));
        args.rejectUnknown();
        Optional<ObjectStore.StoredBytes> metrics = new LocalFolderStore(bucket).read(Layout.METRICS_KEY);
        if (metrics.isEmpty()) {
            throw new Args.UsageException("metrics: no " + Layout.METRICS_KEY + " in " + bucket
                    + "; run `process --bucket " + bucket + "` first");
        }
        out.println(new String(metrics.get().bytes(), StandardCharsets.UTF_8));
        return 0;
    }
}
