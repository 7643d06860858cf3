package io.sessionlake.testing;

import io.sessionlake.generator.FeedGenerator;
import io.sessionlake.run.RunReport;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.LocalFolderStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * Buckets whose Parquet files were written by the real pipeline (objects processed one by one, as S3 events
 * would), built once per test JVM and shared by the tests that read them with engines we do not control:
 * the golden feed, and a generated feed with the edges a reader must survive.
 */
public final class ParquetFeeds {
    /** Ids of the hand-written edge lines: far above the generator's, which count from 1. */
    private static final long EDGE_IDS = 900_000_000L;
    /** Customers of the edge lines: the generator's are 1000 and up, one per customer. */
    private static final long EDGE_CUSTOMERS = 9_000_000L;
    /** Events with a 10 KB user agent: enough that a 1 MiB page limit cuts that column into several pages. */
    static final int LONG_AGENTS = 150;
    /** Lines kept of the generated second day: it brings duplicates, late events and the bridges, not volume. */
    private static final int SECOND_DAY_LINES = 4_000;

    private static Path golden;
    private static Path generated;
    private static Path rewritten;
    private static final java.util.Map<Path, List<RunReport>> REPORTS = new java.util.HashMap<>();

    private ParquetFeeds() {
    }

    /** The golden feed (src/test/resources/golden), processed object by object. */
    public static synchronized Path golden() {
        if (golden == null) {
            golden = build("golden", bucket -> Buckets.copyGolden(bucket));
        }
        return golden;
    }

    /**
     * Two days of a generated shop (about 50,000 events a day, so a day's clean events span several pages of
     * 20,000 rows) with anonymous traffic, duplicates redelivered the next day, late events behind the
     * horizon and malformed lines; mixed into the first day, events with a 10 KB user agent, non-ASCII
     * text in every string field, a null in every optional field and extra fields (attributes); in the
     * second day's object, events in time that bridge two of the first day's sessions, so merged sessions
     * leave tombstones.
     */
    public static synchronized Path generated() {
        if (generated == null) {
            generated = build("generated", ParquetFeeds::writeGeneratedFeed);
        }
        return generated;
    }

    /**
     * The generated feed's Parquet files, rewritten by parquet-java's own row writer (its column writers,
     * statistics and page indexes, default settings) with small pages and row groups: files any correct writer
     * could produce, many pages and several row groups each. Checks of our files are run on these too, to
     * show they demand nothing a correct writer does not give.
     */
    public static synchronized Path rewrittenByParquetJava() {
        if (rewritten == null) {
            rewritten = build(null, ParquetFeeds::rewriteGenerated);
        }
        return rewritten;
    }

    /** The run reports of a bucket the pipeline processed, in processing order. */
    public static synchronized List<RunReport> reports(Path bucket) {
        return REPORTS.get(bucket);
    }

    /** Every Parquet file under {@code prefix} of the bucket, in name order. */
    public static List<Path> parquetFiles(Path bucket, String prefix) {
        try (Stream<Path> files = Files.walk(bucket.resolve(prefix))) {
            return files.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Filler {
        void fill(Path bucket) throws IOException;
    }

    /** A bucket filled by {@code filler}, then processed by the pipeline unless {@code name} is null. */
    private static Path build(String name, Filler filler) {
        try {
            Path bucket = Files.createTempDirectory("sessionlake-" + (name == null ? "rewritten" : name) + "-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(bucket)));
            filler.fill(bucket);
            if (name == null) {
                return bucket;
            }
            List<RunReport> reports = Buckets.processAll(new LocalFolderStore(bucket), RunSettings.defaults());
            for (RunReport r : reports) {
                if (r.outcome() != RunReport.Outcome.SUCCEEDED) {
                    throw new IllegalStateException(name + ": " + r.key() + " did not succeed: " + r.error());
                }
            }
            REPORTS.put(bucket, List.copyOf(reports));
            return bucket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeGeneratedFeed(Path bucket) throws IOException {
        Path events = bucket.resolve("events");
        new FeedGenerator(new FeedGenerator.Options(3_000, 2, 1, 0.01, 0.02, 4, false, 8,
                LocalDate.of(2022, 4, 1), 1.5, 0.1)).writeTo(events);
        interleave(events.resolve("2022-04-01/part-000.jsonl"), firstDayEdges());
        Path secondDay = events.resolve("2022-04-02/part-000.jsonl");
        // the first day fills several pages; of the second, its first lines are enough: they start with the
        // redelivered duplicates, and late events are spread through the day
        List<String> lines = Files.readAllLines(secondDay, StandardCharsets.UTF_8);
        Files.write(secondDay, lines.subList(0, Math.min(lines.size(), SECOND_DAY_LINES)), StandardCharsets.UTF_8);
        interleave(secondDay, secondDayBridges());
    }

    private static void rewriteGenerated(Path bucket) throws IOException {
        Path source = generated();
        for (String table : List.of("sessions", "clean_events")) {
            for (Path file : parquetFiles(source, table)) {
                Path target = bucket.resolve(source.relativize(file).toString());
                Files.createDirectories(target.getParent());
                ParquetJavaReader.FileContent content = ParquetJavaReader.readAll(file);
                MessageType schema = ParquetJavaReader.schema(file);
                try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(target))
                        .withConf(new PlainParquetConfiguration())
                        .withType(schema)
                        .withCompressionCodec(CompressionCodecName.SNAPPY)
                        .withPageRowCountLimit(1_000)
                        .withRowGroupRowCountLimit(10_000)
                        .build()) {
                    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
                    for (ParquetJavaReader.Row row : content.rows()) {
                        Group g = groups.newGroup();
                        for (ParquetJavaReader.Column c : content.columns()) {
                            Object v = row.values()[c.index()];
                            if (v instanceof Integer i) {
                                g.add(c.index(), i);
                            } else if (v instanceof Long l) {
                                g.add(c.index(), l);
                            } else if (v instanceof Double d) {
                                g.add(c.index(), d);
                            } else if (v instanceof Boolean b) {
                                g.add(c.index(), b);
                            } else if (v instanceof Binary b) {
                                g.add(c.index(), b);
                            }
                        }
                        writer.write(g);
                    }
                }
            }
        }
    }

    /** Spreads {@code extra} evenly through the object, so the edges land in every page, not only the last. */
    private static void interleave(Path object, List<String> extra) throws IOException {
        List<String> lines = Files.readAllLines(object, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>(lines.size() + extra.size());
        int every = Math.max(1, lines.size() / (extra.size() + 1));
        int next = 0;
        for (int i = 0; i < lines.size(); i++) {
            out.add(lines.get(i));
            if ((i + 1) % every == 0 && next < extra.size()) {
                out.add(extra.get(next++));
            }
        }
        out.addAll(extra.subList(next, extra.size()));
        Files.write(object, out, StandardCharsets.UTF_8);
    }

    private static long edgeId = EDGE_IDS;

    private static String line(String type, long customer, String time, String fields) {
        return "{\"id\": " + (edgeId++) + ", \"type\": \"" + type + "\", \"event\": {\"customer-id\": " + customer
                + ", \"timestamp\": \"2022-04-01T" + time + "\"" + (fields.isEmpty() ? "" : ", " + fields) + "}}";
    }

    private static String agent(String s) {
        return "\"user-agent\": \"" + s + "\"";
    }

    private static List<String> firstDayEdges() {
        List<String> lines = new ArrayList<>();
        long c = EDGE_CUSTOMERS;
        String filler = "x".repeat(10_000);
        for (int i = 0; i < LONG_AGENTS; i++, c++) {
            // half differ at the start, half only after 10 KB: a truncated min/max must still bound both
            String ua = i % 2 == 0 ? "Mozilla/5.0 (LongBot " + i + "; \u00e9t\u00e9 \u2603) " + filler
                    : "Mozilla/5.0 (LongBot) " + filler + " build " + i;
            String hour = String.format("%02d", i % 24);
            lines.add(line("page_view", c, hour + ":00:00.000001", agent(ua)
                    + ", \"ip\": \"10.9.0." + (i % 250 + 1) + "\", \"page\": \"https://xcc-webshop.com/k\u00fcche/\u2615\""
                    + ", \"referrer\": \"https://www.b\u00fccher.de/suche?q=gr\u00f6\u00dfe\""));
            lines.add(line("search", c, hour + ":05:00", agent(ua) + ", \"query\": \"caf\u00e9 cr\u00e8me \u5496\u5561 \ud83d\ude00\""));
        }
        for (int i = 0; i < 200; i++, c++) {
            String hour = String.format("%02d", i % 24);
            // a session whose first event has no user agent, ip, page or referrer: every optional session column null
            lines.add(line("search", c, hour + ":10:00", "\"query\": \"lamp\""));
            // page view without a page, a referrer without a host, extra fields kept as attributes
            lines.add(line("page_view", c, hour + ":11:00", agent("Opera/9.61 (\u00c4\u00d6\u00dc)")
                    + ", \"ip\": \"10.8.0.1\", \"referrer\": \"https:///nohost\""
                    + ", \"campaign\": \"spring \u2600\", \"ab\": {\"variant\": \"B\", \"n\": " + i + "}"));
            // product without a position, position without a product, a product named in non-ASCII
            lines.add(line("add_product_to_cart", c, hour + ":12:00", "\"product\": 17"));
            lines.add(line("visit_related_product", c, hour + ":13:00", "\"position\": " + (i % 7)));
            lines.add(line("remove_product_from_cart", c, hour + ":14:00",
                    "\"product\": \"Tr\u00f8jer \u00c6\u00d8\u00c5\", \"position\": 0"));
            lines.add(line("placed_order", c, hour + ":15:00", "\"ip\": \"2001:db8::" + i + "\""));
        }
        for (int i = 0; i < 30; i++, c++) {
            // two sessions 50 minutes apart; the next day's object brings the event that bridges them
            lines.add(line("page_view", EDGE_CUSTOMERS + 100_000 + i, "10:00:00", "\"page\": \"https://xcc-webshop.com/\""));
            lines.add(line("page_view", EDGE_CUSTOMERS + 100_000 + i, "10:50:00", "\"page\": \"https://xcc-webshop.com/b\""));
        }
        return lines;
    }

    private static List<String> secondDayBridges() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            lines.add(line("search", EDGE_CUSTOMERS + 100_000 + i, "10:25:00", "\"query\": \"bridge\""));
        }
        return lines;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
