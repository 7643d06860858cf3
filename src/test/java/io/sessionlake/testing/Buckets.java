package io.sessionlake.testing;

import io.sessionlake.run.ObjectProcessor;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Helpers to fill a bucket folder and process it as S3 events would. */
public final class Buckets {
    public static final Clock FIXED_CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private Buckets() {
    }

    public static void copyGolden(Path bucket) throws IOException {
        for (String name : List.of("events-1.jsonl", "events-2.jsonl", "events-3.jsonl")) {
            try (InputStream in = Buckets.class.getResourceAsStream("/golden/events/" + name)) {
                Path target = bucket.resolve("events").resolve(name);
                Files.createDirectories(target.getParent());
                Files.copy(in, target);
            }
        }
    }

    /**
     * The state an earlier version left after the first two golden objects, from the test resources folder
     * {@code /state/<fixture>/}, into {@code bucket}'s state/: its manifest and the packs of those two runs (the run ids
     * of the golden objects do not change between versions).
     */
    public static void copyFirstTwoGoldenState(Path bucket, String fixture) throws IOException {
        for (String key : List.of("manifest.bin", "customers/pack-r000000000001-008edc5dd00b878d30f8.bin",
                "customers/pack-r000000000002-3a800a7215855c6c07e4.bin", "ids/pack-r000000000001-008edc5dd00b878d30f8.bin",
                "ids/pack-r000000000002-3a800a7215855c6c07e4.bin")) {
            Path target = bucket.resolve("state").resolve(key);
            Files.createDirectories(target.getParent());
            try (InputStream in = Buckets.class.getResourceAsStream("/state/" + fixture + "/" + key)) {
                if (in == null) {
                    throw new IOException("no test resource /state/" + fixture + "/" + key);
                }
                Files.copy(in, target);
            }
        }
    }

    public static String resource(String name) throws IOException {
        try (InputStream in = Buckets.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public static List<RunReport> processAll(ObjectStore store, RunSettings settings) throws IOException {
        ObjectProcessor p = new ObjectProcessor(store, settings, FIXED_CLOCK);
        List<RunReport> reports = new ArrayList<>();
        for (ObjectStore.ObjectInfo o : store.list(settings.inputPrefix())) {
            reports.add(p.process(o.key()));
        }
        return reports;
    }

    /** Every object of the bucket except the input, with its bytes: to compare two runs' outputs. */
    public static TreeMap<String, byte[]> outputs(ObjectStore store, String... prefixes) throws IOException {
        TreeMap<String, byte[]> out = new TreeMap<>();
        for (String prefix : prefixes) {
            for (ObjectStore.ObjectInfo o : store.list(prefix)) {
                out.put(o.key(), store.read(o.key()).orElseThrow().bytes());
            }
        }
        return out;
    }
}
