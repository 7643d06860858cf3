package io.sessionlake.run;

import io.sessionlake.feed.EventParser;
import io.sessionlake.feed.LineReader;
import io.sessionlake.feed.ParsedLine;
import io.sessionlake.feed.RejectReason;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongPredicate;

/**
 * Reads and parses an object on a thread of its own while the caller sessionizes and writes: on two cores
 * the JSON work overlaps with the Parquet work. Lines travel in batches through a small bounded queue, so
 * memory stays at a few batches whatever the object size. Only rejected and late lines keep their bytes,
 * for the verbatim copy under rejected/. Lateness can be judged here because it depends only on the
 * watermark at the start of the run.
 */
final class ParsingPipeline implements AutoCloseable {
    private static final int BATCH = 2048;
    private static final Batch END = new Batch(0);

    /** One non-blank line: its number, what it parsed to, whether it is late, and its bytes if kept. */
    record Line(long number, ParsedLine parsed, boolean late, byte[] raw) {
    }

    static final class Batch {
        final Line[] lines;
        int size;
        Throwable failure;

        Batch(int capacity) {
            lines = new Line[capacity];
        }
    }

    private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(8);
    private final Thread producer;
    private volatile boolean cancelled;

    ParsingPipeline(InputStream raw, int maxLineBytes, LongPredicate isLate, String name) {
        this.producer = new Thread(() -> produce(raw, maxLineBytes, isLate), "sessionlake-parse-" + name);
        this.producer.setDaemon(true);
        this.producer.start();
    }

    /** @return the next batch, or null at the end of the object; rethrows a read failure of the object */
    Batch next() throws IOException, InterruptedException {
        Batch b;
        while ((b = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS)) == null) {
            if (!producer.isAlive() && queue.isEmpty()) {
                throw new IOException("the reader thread of this object stopped without a result");
            }
        }
        if (b == END) {
            queue.put(END);
            return null;
        }
        if (b.failure != null) {
            if (b.failure instanceof IOException io) {
                throw io;
            }
            throw new IOException(b.failure.getMessage(), b.failure);
        }
        return b;
    }

    private void produce(InputStream raw, int maxLineBytes, LongPredicate isLate) {
        EventParser parser = new EventParser();
        Batch batch = new Batch(BATCH);
        try (LineReader lines = new LineReader(LineReader.decoded(raw), maxLineBytes)) {
            while (!cancelled && lines.next()) {
                if (lines.isBlank()) {
                    continue;
                }
                byte[] buf = lines.buffer();
                int len = lines.length();
                Line line;
                if (lines.isTooLong()) {
                    line = new Line(lines.lineNumber(), ParsedLine.rejected(RejectReason.LINE_TOO_LONG,
                            "line of " + len + " bytes exceeds the limit of " + maxLineBytes), false,
                            Arrays.copyOf(buf, len));
                } else {
                    ParsedLine parsed = parser.parse(buf, 0, len);
                    boolean late = parsed.event() != null && isLate.test(parsed.event().timeMicros());
                    line = new Line(lines.lineNumber(), parsed, late,
                            parsed.isRejected() || late ? Arrays.copyOf(buf, len) : null);
                }
                batch.lines[batch.size++] = line;
                if (batch.size == BATCH) {
                    queue.put(batch);
                    batch = new Batch(BATCH);
                }
            }
            if (batch.size > 0) {
                queue.put(batch);
            }
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) { // an Error too: the consumer must hear of it, not wait for a dead thread
            Batch failed = new Batch(0);
            failed.failure = e;
            try {
                queue.put(failed);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the producer if the consumer gave up early (for example on a failed write). */
    @Override
    public void close() {
        cancelled = true;
        producer.interrupt();
        queue.clear();
        try {
            producer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
