package io.sessionlake.run;

import io.sessionlake.feed.EventParser;
import io.sessionlake.feed.LineReader;
import io.sessionlake.feed.ParsedLine;
import io.sessionlake.feed.RejectReason;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * Reads and parses an object on threads of their own while the caller sessionizes and writes. One reader
 * thread splits the object into chunks of lines; parser threads turn chunks into batches of parsed lines;
 * the caller receives the batches in object order. Parsing JSON is the largest cost per line, so it is
 * spread over the cores, and it overlaps with the Parquet work. At most a few chunks are in flight, so
 * memory stays at a few megabytes whatever the object size. Only rejected and late lines keep their
 * bytes, for the verbatim copy under rejected/. Lateness can be judged here because it depends only on
 * the watermark at the start of the run.
 */
final class ParsingPipeline implements AutoCloseable {
    private static final int CHUNK_LINES = 2048;
    private static final int CHUNK_BYTES = 1 << 20;
    /** Chunks read ahead of the caller: enough to keep every parser busy, few enough to bound memory. */
    private static final int IN_FLIGHT = 8;

    /**
     * Non-blank lines in object order: for each its number, what it parsed to, whether it is late, and
     * its bytes if kept. Parallel arrays rather than an object per line.
     */
    static final class Batch {
        final long[] numbers;
        final ParsedLine[] parsed;
        final boolean[] late;
        /** Null until a line keeps its bytes: most batches have no rejected or late line. */
        byte[][] raw;
        int size;

        Batch(int capacity) {
            numbers = new long[capacity];
            parsed = new ParsedLine[capacity];
            late = new boolean[capacity];
        }

        void add(long number, ParsedLine line, boolean isLate, byte[] bytes) {
            numbers[size] = number;
            parsed[size] = line;
            late[size] = isLate;
            if (bytes != null) {
                if (raw == null) {
                    raw = new byte[numbers.length][];
                }
                raw[size] = bytes;
            }
            size++;
        }

        /** The bytes of a line that kept them (rejected or late). */
        byte[] raw(int i) {
            return raw[i];
        }
    }

    /** Lines as read, packed into one array; parsed by one parser thread into {@link #batch}. */
    private static final class Chunk {
        byte[] bytes;
        int used;
        int[] starts = new int[CHUNK_LINES + 1];
        long[] numbers = new long[CHUNK_LINES];
        boolean[] tooLong = new boolean[CHUNK_LINES];
        int lines;
        /** Set for the marker that ends the object, with the reader's failure if it failed. */
        boolean last;
        Throwable failure;
        Batch batch;
        final CountDownLatch parsed = new CountDownLatch(1);

        Chunk(byte[] buffer) {
            bytes = buffer;
        }

        boolean full() {
            return lines == CHUNK_LINES || used >= CHUNK_BYTES;
        }

        void add(byte[] b, int off, int len, long number, boolean isTooLong) {
            if (used + len > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + len));
            }
            System.arraycopy(b, off, bytes, used, len);
            starts[lines] = used;
            numbers[lines] = number;
            tooLong[lines] = isTooLong;
            used += len;
            lines++;
            starts[lines] = used;
        }
    }

    private final BlockingQueue<Chunk> inOrder = new ArrayBlockingQueue<>(IN_FLIGHT);
    private final BlockingQueue<Chunk> toParse = new ArrayBlockingQueue<>(IN_FLIGHT + 1);
    /** Chunk buffers back from the parsers: a megabyte per chunk is too much to leave to the collector. */
    private final BlockingQueue<byte[]> freeBuffers = new ArrayBlockingQueue<>(2 * IN_FLIGHT + 4);
    private final List<Thread> threads = new ArrayList<>();
    private final int maxLineBytes;
    private final LongPredicate isLate;
    private volatile boolean cancelled;
    private boolean ended;

    ParsingPipeline(InputStream raw, int maxLineBytes, LongPredicate isLate, String name) {
        this(raw, maxLineBytes, isLate, name, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    ParsingPipeline(InputStream raw, int maxLineBytes, LongPredicate isLate, String name, int parsers) {
        this.maxLineBytes = maxLineBytes;
        this.isLate = isLate;
        threads.add(new Thread(() -> read(raw), "sessionlake-read-" + name));
        for (int i = 0; i < Math.max(1, parsers); i++) {
            threads.add(new Thread(this::parse, "sessionlake-parse-" + i + "-" + name));
        }
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
    }

    /** @return the next batch, or null at the end of the object; rethrows a read failure of the object */
    Batch next() throws IOException, InterruptedException {
        if (ended) {
            return null;
        }
        Chunk c;
        while ((c = inOrder.poll(100, TimeUnit.MILLISECONDS)) == null) {
            if (!threads.get(0).isAlive() && inOrder.isEmpty()) {
                throw new IOException("the reader thread of this object stopped without a result");
            }
        }
        if (c.last) {
            ended = true;
            if (c.failure == null) {
                return null;
            }
            throw asIOException(c.failure);
        }
        while (!c.parsed.await(100, TimeUnit.MILLISECONDS)) {
            if (threads.stream().skip(1).noneMatch(Thread::isAlive)) {
                throw new IOException("the parser threads of this object stopped without a result");
            }
        }
        if (c.failure != null) {
            throw asIOException(c.failure);
        }
        return c.batch;
    }

    private static IOException asIOException(Throwable t) {
        return t instanceof IOException io ? io : new IOException(t.getMessage(), t);
    }

    private void read(InputStream raw) {
        Chunk chunk = new Chunk(buffer());
        try (LineReader lines = new LineReader(LineReader.decoded(raw), maxLineBytes)) {
            while (!cancelled && lines.next()) {
                if (lines.isBlank()) {
                    continue;
                }
                chunk.add(lines.buffer(), lines.offset(), lines.length(), lines.lineNumber(), lines.isTooLong());
                if (chunk.full()) {
                    handOver(chunk);
                    chunk = new Chunk(buffer());
                }
            }
            if (chunk.lines > 0) {
                handOver(chunk);
            }
            endWith(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) { // an Error too: the consumer must hear of it, not wait for a dead thread
            try {
                if (chunk.lines > 0) {
                    handOver(chunk); // the lines before the failure, so that the error can say where it was
                }
                endWith(e);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The caller sees chunks in reading order; parsers take them in the same order, whichever is free. */
    private void handOver(Chunk chunk) throws InterruptedException {
        inOrder.put(chunk);
        toParse.put(chunk);
    }

    private byte[] buffer() {
        byte[] b = freeBuffers.poll();
        return b != null ? b : new byte[CHUNK_BYTES + (64 << 10)];
    }

    private void endWith(Throwable failure) throws InterruptedException {
        Chunk end = new Chunk(null);
        end.last = true;
        end.failure = failure;
        inOrder.put(end);
        for (int i = 1; i < threads.size(); i++) {
            toParse.put(end);
        }
    }

    private void parse() {
        EventParser parser = new EventParser();
        try {
            while (!cancelled) {
                Chunk c = toParse.take();
                if (c.last) {
                    return;
                }
                try {
                    c.batch = parseChunk(parser, c);
                } catch (RuntimeException | Error e) {
                    c.failure = e;
                }
                if (c.bytes.length <= 2 * CHUNK_BYTES) { // not one grown for a huge line
                    freeBuffers.offer(c.bytes);
                }
                c.bytes = null; // the batch keeps what it needs
                c.parsed.countDown();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Batch parseChunk(EventParser parser, Chunk c) {
        Batch batch = new Batch(c.lines);
        for (int i = 0; i < c.lines; i++) {
            int start = c.starts[i];
            int len = c.starts[i + 1] - start;
            if (c.tooLong[i]) {
                batch.add(c.numbers[i], ParsedLine.rejected(RejectReason.LINE_TOO_LONG,
                        "line of " + len + " bytes exceeds the limit of " + maxLineBytes), false,
                        Arrays.copyOfRange(c.bytes, start, start + len));
            } else {
                ParsedLine parsed = parser.parse(c.bytes, start, len);
                boolean late = parsed.event() != null && isLate.test(parsed.event().timeMicros());
                batch.add(c.numbers[i], parsed, late,
                        parsed.isRejected() || late ? Arrays.copyOfRange(c.bytes, start, start + len) : null);
            }
        }
        return batch;
    }

    /** Stops the reader and parsers if the consumer gave up early (for example on a failed write). */
    @Override
    public void close() {
        cancelled = true;
        for (Thread t : threads) {
            t.interrupt();
        }
        inOrder.clear();
        toParse.clear();
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
