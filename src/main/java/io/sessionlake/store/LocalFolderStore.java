package io.sessionlake.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * A folder standing in for a bucket, with the same key layout. Writes go to a temporary file and are
 * renamed into place, so a reader never sees half an object; conditional writes hold a lock file so that
 * two processes on one folder cannot both win. ETags are a digest of the content (CRC32C and CRC-32
 * with the size): like S3's they change exactly when the content does, but they cost a fraction of MD5
 * on a gigabyte input, which must be hashed before the ledger can say whether it was processed. Both
 * checksums are CPU instructions on current hardware, so hashing runs at memory speed.
 */
public final class LocalFolderStore implements ObjectStore {
    private static final String TEMP_MARK = ".sessionlake-tmp-";
    private static final String LOCK_FILE = ".sessionlake.lock";
    private static final long HASH_WINDOW = 64L << 20;
    private static final Map<Path, ReentrantLock> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final Path root;
    private final Map<Path, CachedEtag> etags = new ConcurrentHashMap<>();

    public LocalFolderStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        return list(prefix, Integer.MAX_VALUE);
    }

    /**
     * Walks the folder (a walk has no key order) keeping only the first {@code limit} keys seen so far;
     * sizes and ETags are read for those alone.
     */
    @Override
    public List<ObjectInfo> list(String prefix, int limit) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "bucket folder does not exist");
        }
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        // the largest key kept on top, to be dropped when a smaller one comes
        PriorityQueue<String> first = new PriorityQueue<>(Comparator.reverseOrder());
        try (Stream<Path> files = Files.walk(start)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String key = keyOf(p);
                if (key.startsWith(prefix) && !p.getFileName().toString().startsWith(TEMP_MARK)
                        && !key.equals(LOCK_FILE) && limit > 0
                        && (first.size() < limit || key.compareTo(first.peek()) < 0)) {
                    first.add(key);
                    if (first.size() > limit) {
                        first.poll();
                    }
                }
            }
        }
        List<String> keys = new ArrayList<>(first);
        keys.sort(Comparator.naturalOrder());
        List<ObjectInfo> out = new ArrayList<>(keys.size());
        for (String key : keys) {
            Path p = pathOf(key);
            out.add(new ObjectInfo(key, Files.size(p), etagOf(p)));
        }
        return out;
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        Path p = pathOf(key);
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        return Optional.of(new ObjectInfo(key, Files.size(p), etagOf(p)));
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return Files.newInputStream(pathOf(key));
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(location(), key);
        }
    }

    @Override
    public Optional<StoredBytes> read(String key) throws IOException {
        Path p = pathOf(key);
        try {
            byte[] bytes = Files.readAllBytes(p);
            return Optional.of(new StoredBytes(bytes, contentEtag(bytes)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<byte[]> readRange(String key, long offset, int length) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(pathOf(key))) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(length);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) {
                    throw new java.io.EOFException(key + " ends before byte " + (offset + length));
                }
            }
            return Optional.of(b.array());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) throws IOException {
        Path target = pathOf(key);
        Path tmp = tempFileBeside(target);
        Files.write(tmp, bytes);
        moveIntoPlace(tmp, target);
    }

    @Override
    public void put(String key, Path file, String contentType) throws IOException {
        Path target = pathOf(key);
        Path tmp = tempFileBeside(target);
        Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
        moveIntoPlace(tmp, target);
    }

    @Override
    public String putIfUnchanged(String key, byte[] bytes, String expectedEtag, String contentType) throws IOException {
        ReentrantLock local = IN_PROCESS_LOCKS.computeIfAbsent(root, r -> new ReentrantLock());
        local.lock();
        try {
            Files.createDirectories(root);
            try (FileChannel channel = FileChannel.open(root.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
                Optional<StoredBytes> current = read(key);
                String currentEtag = current.map(StoredBytes::etag).orElse(null);
                if (expectedEtag == null ? currentEtag != null : !expectedEtag.equals(currentEtag)) {
                    throw new ConcurrentUpdateException(key);
                }
                put(key, bytes, contentType);
                return contentEtag(bytes);
            }
        } finally {
            local.unlock();
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(pathOf(key));
    }

    private Path pathOf(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root) || key.isEmpty()) {
            throw new IllegalArgumentException("key " + key + " is outside the bucket folder " + root);
        }
        return p;
    }

    private String keyOf(Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    private static Path tempFileBeside(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        return target.resolveSibling(TEMP_MARK + UUID.randomUUID());
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The content digest of a file, remembered per (size, modification time) so inputs are hashed once. */
    private String etagOf(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        CachedEtag cached = etags.get(p);
        long modified = a.lastModifiedTime().toMillis();
        if (cached != null && cached.size == a.size() && cached.modified == modified) {
            return cached.etag;
        }
        String etag;
        try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ)) {
            // hashed where the file's pages lie, without copying them, one checksum per core: nothing
            // else can run before the ledger has said whether this version was processed
            long size = in.size();
            List<ByteBuffer> windows = new ArrayList<>();
            for (long at = 0; at < size; at += HASH_WINDOW) {
                windows.add(in.map(FileChannel.MapMode.READ_ONLY, at, Math.min(HASH_WINDOW, size - at)));
            }
            CompletableFuture<Long> ieee = CompletableFuture.supplyAsync(() -> {
                CRC32 crc = new CRC32();
                windows.forEach(w -> crc.update(w.duplicate()));
                return crc.getValue();
            }, LocalFolderStore::onNewThread);
            CRC32C castagnoli = new CRC32C();
            windows.forEach(w -> castagnoli.update(w.duplicate()));
            try {
                etag = ContentDigest.format(castagnoli.getValue(), ieee.join(), size);
            } catch (java.util.concurrent.CompletionException e) {
                throw new IOException("hashing " + p + " failed: " + e.getCause(), e.getCause());
            }
        }
        etags.put(p, new CachedEtag(a.size(), modified, etag));
        return etag;
    }

    private static void onNewThread(Runnable task) {
        Thread t = new Thread(task, "sessionlake-etag");
        t.setDaemon(true);
        t.start();
    }

    private static String contentEtag(byte[] bytes) {
        ContentDigest digest = new ContentDigest();
        digest.update(bytes, 0, bytes.length);
        return digest.etag();
    }

    /** Two independent checksums and the length: 64 bits of content fingerprint at memory speed. */
    private static final class ContentDigest {
        private final CRC32C castagnoli = new CRC32C();
        private final CRC32 ieee = new CRC32();
        private long length;

        void update(byte[] b, int off, int len) {
            castagnoli.update(b, off, len);
            ieee.update(b, off, len);
            length += len;
        }

        String etag() {
            return format(castagnoli.getValue(), ieee.getValue(), length);
        }

        static String format(long castagnoli, long ieee, long length) {
            return String.format("%08x%08x-%x", castagnoli, ieee, length);
        }
    }

    private record CachedEtag(long size, long modified, String etag) {
    }
}
