package io.sessionlake.run;

import io.sessionlake.parquet.PartitionedFiles;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hands rows to a writer thread in batches, so that encoding Parquet overlaps with the caller's work
 * (sessionizing, encoding the state). Row order is kept; the writer thread also closes the files, so
 * that the last row groups are encoded off the caller's thread too. A write failure surfaces on the
 * caller's next call or in {@link #finish()}.
 */
final class BackgroundWriter<T> implements AutoCloseable {
    private static final int BATCH = 4096;
    private static final List<Object> END = new ArrayList<>();

    private final PartitionedFiles<T> target;
    private final BlockingQueue<List<T>> queue = new ArrayBlockingQueue<>(4);
    private final Thread thread;
    private volatile Throwable failure;
    private volatile Map<LocalDate, Path> files;
    private List<T> batch = new ArrayList<>(BATCH);
    private boolean ended;

    BackgroundWriter(PartitionedFiles<T> target, String name) {
        this.target = target;
        this.thread = new Thread(this::drain, "sessionlake-write-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void write(T row) throws IOException {
        batch.add(row);
        if (batch.size() == BATCH) {
            hand(batch);
            batch = new ArrayList<>(BATCH);
        }
    }

    /** No more rows: the writer thread writes what it has and closes the files, while the caller goes on. */
    @SuppressWarnings("unchecked")
    void endOfRows() throws IOException {
        if (ended) {
            return;
        }
        if (!batch.isEmpty()) {
            hand(batch);
            batch = new ArrayList<>();
        }
        hand((List<T>) (List<?>) END);
        ended = true;
    }

    /** Waits for every row to be written and the files closed; @return the files by partition date */
    Map<LocalDate, Path> finish() throws IOException {
        endOfRows();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while finishing Parquet files");
        }
        rethrow();
        if (files == null) {
            throw new IOException("the Parquet writer thread stopped before closing its files");
        }
        return files;
    }

    private void hand(List<T> rows) throws IOException {
        rethrow();
        try {
            while (!queue.offer(rows, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                rethrow();
                if (!thread.isAlive()) {
                    // a failure is recorded before the thread ends, so it is visible now: report it, not a guess
                    rethrow();
                    throw new IOException("the Parquet writer thread stopped without a failure (interrupted)");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing Parquet");
        }
    }

    private void drain() {
        try {
            while (true) {
                List<T> rows = queue.take();
                if (rows == (Object) END) {
                    files = target.finish();
                    return;
                }
                for (T row : rows) {
                    target.write(row);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) { // an Error too: the caller must hear of it, not wait for a dead thread
            failure = e;
        }
    }

    private void rethrow() throws IOException {
        Throwable f = failure;
        if (f != null) {
            throw HandedFailure.rethrow(f);
        }
    }

    @Override
    public void close() throws IOException {
        if (thread.isAlive()) {
            thread.interrupt();
            queue.clear();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        target.close();
    }
}
