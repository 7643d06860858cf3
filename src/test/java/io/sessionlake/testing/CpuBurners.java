package io.sessionlake.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A neighbour that keeps every core busy while it is open, so that the threads under test are descheduled at
 * arbitrary points, as on a one-vCPU Lambda or a busy host.
 */
public final class CpuBurners implements AutoCloseable {
    private final AtomicBoolean busy = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    private CpuBurners(String name) {
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (busy.get()) {
                    x += System.nanoTime() % 7;
                }
                if (x == 42) {
                    System.err.print(""); // keeps the loop from being optimised away
                }
            }, name + "-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    /** One burning thread per core, named {@code name-<n>}. */
    public static CpuBurners start(String name) {
        return new CpuBurners(name);
    }

    /** Stops the burners and waits for them a little (they are daemons: a slow one cannot hold the JVM). */
    @Override
    public void close() throws InterruptedException {
        busy.set(false);
        for (Thread t : threads) {
            t.join(5_000);
        }
    }
}
