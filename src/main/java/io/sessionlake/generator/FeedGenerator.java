package io.sessionlake.generator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * A synthetic feed shaped like the shop's: the same fields and types, whole-minute timestamps, bursts of
 * activity per customer separated by idle time, anonymous traffic, referrers on landing pages, orders in
 * some sessions. Optional late events, duplicate deliveries and malformed lines exercise SPEC 2.
 * Deterministic for a seed. Each day is split by time of day into {@code filesPerDay} objects.
 */
public final class FeedGenerator {
    private static final String[] REFERRERS = {
        "https://www.google.com/", "https://www.bing.com/search?q=shop", "https://t.co/x", "https://gonzalez.com",
        "https://www.facebook.com/", "https://news.ycombinator.com/", "https://duckduckgo.com/"};
    private static final String[] AGENTS = {
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
        "Opera/9.61 (Windows NT 6.1; U; en) Presto/2.1.1"};
    private static final String[] BROWSE_TYPES = {
        "page_view", "page_view", "page_view", "search", "add_product_to_cart", "remove_product_from_cart",
        "visit_related_product", "visit_recently_visited_product", "visit_personal_recommendation"};
    private static final String[] QUERIES = {"yak shaving shears", "garden gnome", "usb cable", "coffee", "lamp"};

    /** What to generate; see the CLI's {@code generate} command for the meaning of each option. */
    public record Options(int customers, int days, int filesPerDay, double lateRatio, double dupRatio,
            int badLines, boolean gzip, long seed, LocalDate start, double sessionsPerCustomerDay,
            double anonymousRatio) {
        public static Options defaults() {
            return new Options(200, 3, 4, 0.0, 0.0, 0, false, 42, LocalDate.of(2022, 4, 1), 1.5, 0.1);
        }
    }

    /** Totals of what was written. */
    public record Written(List<Path> files, long lines, long events) {
    }

    private final Options o;
    private final Random random;
    private long nextId = 1;

    public FeedGenerator(Options options) {
        this.o = options;
        this.random = new Random(options.seed());
    }

    public Written writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        long lines = 0;
        long events = 0;
        List<String> heldBackDuplicates = new ArrayList<>();
        for (int day = 0; day < o.days(); day++) {
            LocalDate date = o.start().plusDays(day);
            Writer[] writers = new Writer[o.filesPerDay()];
            for (int f = 0; f < writers.length; f++) {
                Path file = dir.resolve(String.format("%s/part-%03d.jsonl%s", date, f, o.gzip() ? ".gz" : ""));
                Files.createDirectories(file.getParent());
                files.add(file);
                OutputStream raw = Files.newOutputStream(file);
                writers[f] = new BufferedWriter(new OutputStreamWriter(
                        o.gzip() ? new GZIPOutputStream(raw, 1 << 16) : raw, StandardCharsets.UTF_8), 1 << 16);
                // duplicates held back from the previous file are redelivered at the start of the next day
                for (String dup : heldBackDuplicates) {
                    writers[f].write(dup);
                    lines++;
                }
                heldBackDuplicates.clear();
            }
            long dayStart = date.atStartOfDay().toEpochSecond(ZoneOffset.UTC);
            for (int c = 0; c < o.customers(); c++) {
                int sessions = poisson(o.sessionsPerCustomerDay());
                long cursor = dayStart + random.nextInt(3600 * 6) / 60 * 60L;
                for (int s = 0; s < sessions && cursor < dayStart + 86_400; s++) {
                    boolean anonymous = random.nextDouble() < o.anonymousRatio();
                    Integer customerId = anonymous ? null : 1000 + c;
                    int length = 1 + random.nextInt(12);
                    boolean orders = random.nextDouble() < 0.15;
                    String agent = AGENTS[random.nextInt(AGENTS.length)];
                    String ip = "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
                    for (int k = 0; k < length && cursor < dayStart + 86_400; k++) {
                        String type = k == 0 ? "page_view"
                                : orders && k == length - 1 ? "placed_order" : BROWSE_TYPES[random.nextInt(BROWSE_TYPES.length)];
                        long time = cursor;
                        if (o.lateRatio() > 0 && day > 0 && random.nextDouble() < o.lateRatio()) {
                            time -= 86_400L * (8 + random.nextInt(3)); // behind a 7-day horizon once data is 8+ days in
                        }
                        String line = line(type, customerId, time, agent, ip, k == 0);
                        int file = (int) Math.min(o.filesPerDay() - 1, (cursor - dayStart) * o.filesPerDay() / 86_400);
                        writers[file].write(line);
                        lines++;
                        events++;
                        if (o.dupRatio() > 0 && random.nextDouble() < o.dupRatio()) {
                            heldBackDuplicates.add(line);
                        }
                        cursor += 60L * (1 + random.nextInt(8));
                    }
                    cursor += 60L * (31 + random.nextInt(240));
                }
            }
            for (int b = 0; b < o.badLines() && day == 0; b++) {
                writers[b % writers.length].write(badLine(b));
                lines++;
            }
            for (Writer w : writers) {
                w.close();
            }
        }
        return new Written(files, lines, events);
    }

    private String line(String type, Integer customerId, long epochSecond, String agent, String ip, boolean landing) {
        long id = nextId++;
        StringBuilder b = new StringBuilder(256);
        b.append("{\"id\": ").append(id).append(", \"type\": \"").append(type).append("\", \"event\": {\"user-agent\": \"")
                .append(agent).append("\", \"ip\": \"").append(ip).append("\", \"customer-id\": ")
                .append(customerId == null ? "null" : customerId.toString()).append(", \"timestamp\": \"")
                .append(LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC)).append(":00.000000\"");
        switch (type) {
            case "page_view" -> {
                b.append(", \"page\": \"https://xcc-webshop.com/").append(landing ? "" : "products/" + random.nextInt(500))
                        .append('"');
                if (landing && random.nextDouble() < 0.6) {
                    b.append(", \"referrer\": \"").append(REFERRERS[random.nextInt(REFERRERS.length)]).append('"');
                }
            }
            case "search" -> b.append(", \"query\": \"").append(QUERIES[random.nextInt(QUERIES.length)]).append('"');
            case "placed_order" -> {
                // no extra fields, as in the real feed
            }
            default -> b.append(", \"product\": ").append(random.nextInt(500)).append(", \"position\": ")
                    .append(random.nextInt(20));
        }
        return b.append("}}\n").toString();
    }

    private static String badLine(int n) {
        return switch (n % 4) {
            case 0 -> "not json at all\n";
            case 1 -> "{\"id\": 1, \"type\": \"page_view\", \"event\": {\"customer-id\": 5, \"timestamp\": \"2022-04-2\n";
            case 2 -> "{\"id\": \"x\", \"type\": \"page_view\", \"event\": {\"customer-id\": 5, \"timestamp\": \"2022-04-01T00:00:00\"}}\n";
            default -> "{\"id\": 7, \"type\": \"page_view\", \"event\": {\"customer-id\": 5, \"timestamp\": \"yesterday\"}}\n";
        };
    }

    private int poisson(double mean) {
        double l = Math.exp(-mean);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > l);
        return k - 1;
    }
}
