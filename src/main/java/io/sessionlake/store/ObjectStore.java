package io.sessionlake.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The bucket as sessionlake sees it: keys, streams and one conditional write. Everything else in the
 * product reaches storage through this interface; a local folder and S3 implement it.
 */
public interface ObjectStore {

    /** Where this store points, for reports and messages (bucket name or folder path). */
    String location();

    /**
     * Objects whose key starts with {@code prefix}, in key order. Folder markers (keys ending in '/', which
     * the S3 console creates) are not objects to sessionlake and are left out.
     */
    List<ObjectInfo> list(String prefix) throws IOException;

    /**
     * The first {@code limit} of {@link #list(String)}: for callers that refuse more than a few objects,
     * without listing a large prefix whole.
     */
    List<ObjectInfo> list(String prefix, int limit) throws IOException;

    /** Size and ETag of one object, or empty when it does not exist. */
    Optional<ObjectInfo> stat(String key) throws IOException;

    /** Streams an object; the caller closes the stream. */
    InputStream open(String key) throws IOException;

    /** Reads a small object whole, with its ETag, or empty when it does not exist. */
    Optional<StoredBytes> read(String key) throws IOException;

    /**
     * Reads {@code length} bytes from {@code offset} of an object (one ranged GET on S3), or empty when the object
     * does not exist. @throws IOException also when the object is shorter than the range
     */
    default Optional<byte[]> readRange(String key, long offset, int length) throws IOException {
        InputStream in;
        try {
            in = open(key);
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        }
        try (in) {
            in.skipNBytes(offset);
            byte[] b = in.readNBytes(length);
            if (b.length < length) {
                throw new java.io.EOFException(key + " ends before byte " + (offset + length));
            }
            return Optional.of(b);
        } catch (java.io.EOFException e) {
            throw new java.io.EOFException(key + " ends before byte " + (offset + length));
        }
    }

    /** Writes an object whole; readers see the old or the new object, never a part. */
    void put(String key, byte[] bytes, String contentType) throws IOException;

    /** Uploads a local file as an object, for outputs too large to hold in memory. */
    void put(String key, Path file, String contentType) throws IOException;

    /**
     * Writes only if the object is still the version the caller read: {@code expectedEtag} null means
     * "only if it does not exist yet". @return the new ETag
     * @throws ConcurrentUpdateException when another writer got there first
     */
    String putIfUnchanged(String key, byte[] bytes, String expectedEtag, String contentType) throws IOException;

    void delete(String key) throws IOException;

    record ObjectInfo(String key, long size, String etag) {
    }

    record StoredBytes(byte[] bytes, String etag) {
    }
}
