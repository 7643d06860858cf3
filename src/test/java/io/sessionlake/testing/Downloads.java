package io.sessionlake.testing;

import io.sessionlake.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Copies objects from a store to a folder with the same layout, so DuckDB can read what S3 holds. */
public final class Downloads {
    private Downloads() {
    }

    public static Path mirror(ObjectStore store, Path dir, String... prefixes) throws IOException {
        for (String prefix : prefixes) {
            for (ObjectStore.ObjectInfo o : store.list(prefix)) {
                Path target = dir.resolve(o.key());
                Files.createDirectories(target.getParent());
                try (InputStream in = store.open(o.key())) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return dir;
    }
}
