package io.sessionlake.run;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A failure one of a run's threads handed over, thrown again in the thread that received it as what it is:
 * an I/O failure stays one, an unexpected exception (a defect) or an Error is not disguised as I/O, so the
 * run's failure keeps its cause.
 */
final class HandedFailure {
    private HandedFailure() {
    }

    static IOException rethrow(Throwable t) throws IOException {
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof UncheckedIOException io) {
            throw io.getCause();
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IOException(t.getMessage(), t);
    }
}
