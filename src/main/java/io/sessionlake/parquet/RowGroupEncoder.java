package io.sessionlake.parquet;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * Encodes full row groups on a thread of its own while the writer fills the next one. Encoding a row
 * group is a burst of tens of milliseconds; done on the writer's thread it stalled everything upstream
 * (the writer stops draining its queue, the sessionizer blocks on it, the parsers on the sessionizer) and
 * left a core idle. The writer fills one row group while the encoder encodes the previous one, so memory
 * stays at two row groups of buffers. The first failure is reported by the next {@link #submit} or
 * {@link #await}.
 */
final class RowGroupEncoder implements AutoCloseable {
    @FunctionalInterface
    interface Job {
        void run() throws IOException;
    }

    private static final Job STOP = () -> { };

    /** A hand-over, not a queue: a row group waits only while the previous one is encoded. */
    private final BlockingQueue<Job> jobs = new SynchronousQueue<>();
    private final Thread thread;
    private volatile Throwable failure;
    private int submitted;
    private int done;
    private boolean closed;

    RowGroupEncoder(String name) {
        thread = new Thread(this::work, "sessionlake-encode-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    void submit(Job job) throws IOException {
        rethrow();
        try {
            while (!jobs.offer(job, 100, TimeUnit.MILLISECONDS)) {
                rethrow();
                if (!thread.isAlive()) {
                    throw new IOException("the row group encoder stopped");
                }
            }
            // counted once handed over; await() runs on this same thread, after this
            synchronized (this) {
                submitted++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while handing over a row group");
        }
    }

    /** Waits until every submitted row group is encoded. */
    synchronized void await() throws IOException {
        try {
            while (done < submitted && failure == null && thread.isAlive()) {
                wait(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for row groups to be encoded");
        }
        rethrow();
        if (done < submitted) {
            throw new IOException("the row group encoder stopped with work left");
        }
    }

    private void work() {
        try {
            while (true) {
                Job job = jobs.take();
                if (job == STOP) {
                    return;
                }
                job.run();
                synchronized (this) {
                    done++;
                    notifyAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) { // an Error too: the writer must hear of it, not wait for a dead thread
            failure = e;
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private void rethrow() throws IOException {
        Throwable f = failure;
        if (f instanceof IOException io) {
            throw io;
        }
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f != null) {
            throw new IOException("encoding a row group failed: " + f, f);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return; // a second STOP would wait for a taker that is gone
        }
        closed = true;
        try {
            if (thread.isAlive() && !jobs.offer(STOP, 1, TimeUnit.SECONDS)) {
                thread.interrupt(); // still busy after a failure upstream: its work is thrown away anyway
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.interrupt();
        }
    }
}
