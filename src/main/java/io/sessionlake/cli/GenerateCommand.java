package io.sessionlake.cli;

import io.sessionlake.generator.FeedGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/** {@code generate}: writes a synthetic feed into a folder (for example a bucket folder's events/). */
final class GenerateCommand {
    private GenerateCommand() {
    }

    static int run(Args args, PrintStream out) throws IOException {
        FeedGenerator.Options d = FeedGenerator.Options.defaults();
        Path dir = Path.of(args.required("out"));
        LocalDate start;
        String startText = args.optional("start", d.start().toString());
        try {
            start = LocalDate.parse(startText);
        } catch (DateTimeParseException e) {
            throw new Args.UsageException("generate: --start must be a date such as 2022-04-01, got '" + startText + "'");
        }
        FeedGenerator.Options o = new FeedGenerator.Options(
                positive(args, "customers", d.customers()), positive(args, "days", d.days()),
                positive(args, "files-per-day", d.filesPerDay()),
                ratio(args, "late-ratio", d.lateRatio()), ratio(args, "dup-ratio", d.dupRatio()),
                (int) args.longValue("bad-lines", d.badLines()), args.flag("gzip"), args.longValue("seed", d.seed()),
                start, d.sessionsPerCustomerDay(), d.anonymousRatio());
        args.rejectUnknown();
        FeedGenerator.Written w = new FeedGenerator(o).writeTo(dir);
        out.printf("wrote %d lines (%d events) in %d objects under %s%n", w.lines(), w.events(), w.files().size(),
                dir.toAbsolutePath());
        return 0;
    }

    private static int positive(Args args, String name, int fallback) {
        long v = args.longValue(name, fallback);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new Args.UsageException("generate: --" + name + " must be at least 1, got " + v);
        }
        return (int) v;
    }

    private static double ratio(Args args, String name, double fallback) {
        double v = args.doubleValue(name, fallback);
        if (v < 0 || v > 1) {
            throw new Args.UsageException("generate: --" + name + " must be between 0 and 1, got " + v);
        }
        return v;
    }
}
