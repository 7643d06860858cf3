package io.sessionlake.testing;

import io.sessionlake.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Wraps a real store and runs a hook before each conditional write (the state commit, and also the run
 * report and the metrics): to crash or to stall a commit. Hooks meant for the commit test the key.
 */
public class InterceptingStore implements ObjectStore {
    public interface Hook {
        void beforeConditionalWrite(String key) throws IOException;
    }

    private final ObjectStore delegate;
    private final Hook hook;

    /**
     * A store on which the first two state commits wait for each other: both runs have loaded the same
     * state and written their outputs before either commits, so exactly one must lose the race.
     */
    public static InterceptingStore withRacingCommits(ObjectStore delegate) {
        java.util.concurrent.CyclicBarrier bothReady = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.atomic.AtomicBoolean firstRound = new java.util.concurrent.atomic.AtomicBoolean(true);
        return new InterceptingStore(delegate, key -> {
            if (key.equals(io.sessionlake.run.Layout.STATE_KEY) && firstRound.get()) {
                try {
                    bothReady.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IOException("the other run never reached its commit", e);
                }
                firstRound.set(false);
            }
        });
    }

    public InterceptingStore(ObjectStore delegate, Hook hook) {
        this.delegate = delegate;
        this.hook = hook;
    }

    @Override
    public String location() {
        return delegate.location();
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        return delegate.list(prefix);
    }

    @Override
    public List<ObjectInfo> list(String prefix, int limit) throws IOException {
        return delegate.list(prefix, limit);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        return delegate.stat(key);
    }

    @Override
    public InputStream open(String key) throws IOException {
        return delegate.open(key);
    }

    @Override
    public Optional<byte[]> readRange(String key, long offset, int length) throws IOException {
        return delegate.readRange(key, offset, length);
    }

    @Override
    public Optional<StoredBytes> read(String key) throws IOException {
        return delegate.read(key);
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) throws IOException {
        delegate.put(key, bytes, contentType);
    }

    @Override
    public void put(String key, Path file, String contentType) throws IOException {
        delegate.put(key, file, contentType);
    }

    @Override
    public String putIfUnchanged(String key, byte[] bytes, String expectedEtag, String contentType) throws IOException {
        hook.beforeConditionalWrite(key);
        return delegate.putIfUnchanged(key, bytes, expectedEtag, contentType);
    }

    @Override
    public void delete(String key) throws IOException {
        delegate.delete(key);
    }
}
