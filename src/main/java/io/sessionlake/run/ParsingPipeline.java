package io.sessionlake.run;

import io.sessionlake.feed.EventParser;
import io.sessionlake.feed.LineBlocks;
import io.sessionlake.feed.ParsedLine;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongPredicate;

/**
 * Reads and parses an object on threads of their own while the caller sessionizes and writes. One reader
 * thread reads the object in blocks of whole lines; parser threads cut their blocks into lines and parse
 * them into batches; the caller receives the batches in object order. Parsing JSON is the largest cost per line, so it is
 * spread over the cores, and it overlaps with the Parquet work. At most a few blocks are in flight, so
 * memory stays at a few megabytes whatever the object size (a block grows at most to the line limit: a
 * longer line is never held whole). Only rejected and late lines keep their bytes, for the verbatim copy
 * under rejected/ (of a line too long, its first max-line-bytes). Lateness can be judged here because it depends only on
 * the watermark at the start of the run.
 */
final class ParsingPipeline implements AutoCloseable {
    /** About two thousand lines of the usual size. */
    private static final int BLOCK_BYTES = 1 << 19;
    /** Chunks read ahead of the caller: enough to keep every parser busy, few enough to bound memory. */
    private static final int IN_FLIGHT = 8;

    /**
     * Non-blank lines in object order: for each its number, what it parsed to, whether it is late, and
     * its bytes if kept. Parallel arrays rather than an object per line.
     */
    static final class Batch {
        long[] numbers;
        ParsedLine[] parsed;
        boolean[] late;
        /** Null until a line keeps its bytes: most batches have no rejected or late line. */
        byte[][] raw;
        int size;

        Batch(int capacity) {
            numbers = new long[capacity];
            parsed = new ParsedLine[capacity];
            late = new boolean[capacity];
        }

        void add(long number, ParsedLine line, boolean isLate, byte[] bytes) {
            if (size == numbers.length) {
                int grown = size * 2;
                numbers = Arrays.copyOf(numbers, grown);
                parsed = Arrays.copyOf(parsed, grown);
                late = Arrays.copyOf(late, grown);
                raw = raw == null ? null : Arrays.copyOf(raw, grown);
            }
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

        /** Numbers within the block become numbers within the object. */
        void numberFrom(long linesBefore) {
            for (int i = 0; i < size; i++) {
                numbers[i] += linesBefore;
            }
        }

        /** The bytes of a line that kept them (rejected or late). */
        byte[] raw(int i) {
            return raw[i];
        }
    }

    /** Where the pipeline's threads may be slowed down on purpose: the hand-overs whose timing varies under load. */
    interface Pause {
        enum Point { READ_BLOCK, END_OF_OBJECT, PARSE_CHUNK, AFTER_CHUNK }

        Pause NONE = point -> { };

        void at(Point point) throws InterruptedException;
    }

    /** A block of whole lines as read; parsed by one parser thread into {@link #batch}. */
    private static final class Chunk {
        final LineBlocks.Block block;
        /** Lines in the block, blank ones included: the numbering of the next block starts after them. */
        int lines;
        /** Set for the marker that ends the object, with the reader's failure if it failed. */
        boolean last;
        Throwable failure;
        Batch batch;
        final CountDownLatch parsed = new CountDownLatch(1);

        Chunk(LineBlocks.Block block) {
            this.block = block;
        }
    }

    private final BlockingQueue<Chunk> inOrder = new ArrayBlockingQueue<>(IN_FLIGHT);
    private final BlockingQueue<Chunk> toParse = new ArrayBlockingQueue<>(IN_FLIGHT + 1);
    /** Block buffers back from the parsers: half a megabyte a block is too much to leave to the collector. */
    private final BlockingQueue<byte[]> freeBuffers = new ArrayBlockingQueue<>(2 * IN_FLIGHT + 4);
    private final List<Thread> threads = new ArrayList<>();
    private final int maxLineBytes;
    private final LongPredicate isLate;
    private final Pause pause;
    private volatile boolean cancelled;
    private boolean ended;
    /** Lines in the blocks handed to the caller so far. */
    private long linesBefore;

    ParsingPipeline(InputStream raw, int maxLineBytes, LongPredicate isLate, String name) {
        this(raw, maxLineBytes, isLate, name, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    ParsingPipeline(InputStream raw, int maxLineBytes, LongPredicate isLate, String name, int parsers) {
        this(raw, maxLineBytes, isLate, name, parsers, Pause.NONE);
    }

    /** @param pause called by the reader and parser threads at the points of a hand-over: tests slow them there */
    ParsingPipeline(InputStream raw, int maxLineBytes, LongPredicate isLate, String name, int parsers,
            Pause pause) {
        this.pause = pause;
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
        // No timeouts and no looks at whether a thread is alive: the reader always ends the object with a
        // marker (carrying its failure, if any), and a parser always delivers a chunk (its batch or its
        // failure). A slow thread is only slow; guessing from liveness read slow ones as dead under load.
        Chunk c = inOrder.take();
        if (c.last) {
            ended = true;
            if (c.failure == null) {
                return null;
            }
            throw HandedFailure.rethrow(c.failure);
        }
        c.parsed.await();
        if (c.failure != null) {
            throw HandedFailure.rethrow(c.failure);
        }
        c.batch.numberFrom(linesBefore);
        linesBefore += c.lines;
        return c.batch;
    }

    private void read(InputStream raw) {
        Throwable failure = null;
        try (LineBlocks blocks = new LineBlocks(LineBlocks.decoded(raw), maxLineBytes)) {
            for (LineBlocks.Block b = blocks.next(buffer()); b != null && !cancelled; b = blocks.next(buffer())) {
                pause.at(Pause.Point.READ_BLOCK);
                handOver(new Chunk(b));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // only close() interrupts: the caller is not waiting for an end any more
        } catch (Throwable e) { // an Error too: the consumer must hear of it, not wait for a dead thread
            failure = e; // after the blocks of the lines before the failure, so it can say where it was
        }
        try {
            pause.at(Pause.Point.END_OF_OBJECT);
            endWith(failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The caller sees chunks in reading order; parsers take them in the same order, whichever is free. */
    private void handOver(Chunk chunk) throws InterruptedException {
        inOrder.put(chunk);
        toParse.put(chunk);
    }

    private byte[] buffer() {
        byte[] b = freeBuffers.poll();
        return b != null ? b : new byte[BLOCK_BYTES];
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
        LineBlocks.Lines lines = new LineBlocks.Lines(maxLineBytes);
        try {
            while (!cancelled) {
                Chunk c = toParse.take();
                if (c.last) {
                    return;
                }
                try {
                    pause.at(Pause.Point.PARSE_CHUNK);
                    c.batch = parseChunk(parser, lines.of(c.block), c);
                } catch (Throwable e) { // delivered to the caller in the chunk, whatever it is
                    c.failure = e;
                } finally {
                    if (c.block.bytes().length == BLOCK_BYTES) { // not one grown for a long line
                        freeBuffers.offer(c.block.bytes());
                    }
                    c.parsed.countDown();
                }
                pause.at(Pause.Point.AFTER_CHUNK);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Batch parseChunk(EventParser parser, LineBlocks.Lines lines, Chunk c) {
        Batch batch = new Batch(c.block.length() / 128 + 16);
        while (lines.next()) {
            if (lines.isBlank()) {
                continue;
            }
            byte[] b = lines.buffer();
            int start = lines.offset();
            int len = lines.length();
            if (lines.isTooLong()) {
                batch.add(lines.number(), ParsedLine.tooLong(lines.lineBytes(), maxLineBytes), false,
                        Arrays.copyOfRange(b, start, start + lines.keptLength()));
            } else {
                ParsedLine parsed = parser.parse(b, start, len);
                boolean late = parsed.event() != null && isLate.test(parsed.event().timeMicros());
                batch.add(lines.number(), parsed, late,
                        parsed.isRejected() || late ? Arrays.copyOfRange(b, start, start + len) : null);
            }
        }
        c.lines = lines.number();
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
