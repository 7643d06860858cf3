package io.sessionlake.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** What a committed manifest names, for tests outside this package: the customer leaves with their places. */
public final class ManifestLeaves {
    private ManifestLeaves() {
    }

    /** The customer leaves in key order, as the manifest names them (none is read). */
    public static List<LeafRef> customers(byte[] manifest) throws IOException {
        List<LeafRef> out = new ArrayList<>();
        for (Leaves.Slot<CustomerIndex> s : ManifestCodec.decode(manifest, LeafSource.NONE).customers.slots()) {
            out.add(s.ref);
        }
        return out;
    }

    /** Bytes of the packs the manifest names, of both kinds: their live leaves and the replaced ones still in them. */
    public static long packBytes(byte[] manifest) throws IOException {
        SessionState s = ManifestCodec.decode(manifest, LeafSource.NONE);
        long n = 0;
        for (java.util.Map<String, Long> packs : List.of(s.window.packSizes, s.customers.packSizes)) {
            for (long b : packs.values()) {
                n += b;
            }
        }
        return n;
    }
}
