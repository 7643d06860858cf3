package io.sessionlake.session;

import io.sessionlake.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** What a committed manifest names, for tests outside this package: the customer leaves with their places. */
public final class ManifestLeaves {
    private static final String MANIFEST = "state/manifest.bin";

    private ManifestLeaves() {
    }

    /** The customer leaves in key order, as the committed manifest names them (on its base, if it has one). */
    public static List<LeafRef> customers(ObjectStore store) throws IOException {
        Leaves<CustomerIndex> leaves = committed(store).customers;
        List<LeafRef> out = new ArrayList<>();
        for (int i = 0; i < leaves.size(); i++) {
            out.add(leaves.ref(i));
        }
        return out;
    }

    /**
     * Bytes of the packs the committed manifest names, of both kinds (their live leaves and the replaced ones still in
     * them), and of its base.
     */
    public static long packBytes(ObjectStore store) throws IOException {
        SessionState s = committed(store);
        long n = s.customerBase == null ? 0 : s.customerBase.place().bytes();
        for (java.util.Map<String, Long> packs : List.of(s.window.packSizes, s.customers.packSizes)) {
            for (long b : packs.values()) {
                n += b;
            }
        }
        return n;
    }

    /** The base the committed manifest lists its customer leaves on, or null. */
    public static LeafRef base(ObjectStore store) throws IOException {
        SessionState s = committed(store);
        return s.customerBase == null ? null : s.customerBase.place();
    }

    /** The committed state; no leaf is read, only the manifest's base. */
    private static SessionState committed(ObjectStore store) throws IOException {
        byte[] manifest = store.read(MANIFEST).orElseThrow().bytes();
        return ManifestCodec.decode(manifest, ref -> {
            try {
                return store.read(ref.key()).orElseThrow(() -> new LeafMissingException(ref.key())).bytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
