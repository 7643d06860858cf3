package io.sessionlake.session;

import java.util.List;
import java.util.Map;

/**
 * The state between two runs, as the store sees it: sealed into leaves and a manifest, the leaves put in a map
 * standing in for the bucket, retired leaves deleted as soon as the next seal allows (no grace), and the manifest
 * read back, its leaves read from the map only when a run asks for them.
 */
final class StateRoundTrip {
    private StateRoundTrip() {
    }

    static SessionState through(Map<String, byte[]> bucket, SessionState state, StateSeal.LeafTargets targets) {
        String run = "run" + state.sequence();
        StateSeal.Sealed sealed = StateSeal.seal(state, new StateSeal.LeafNames() {
            @Override
            public String customers(long low) {
                return "state/customers/" + low + "-" + run + ".bin";
            }

            @Override
            public String ids(long low) {
                return "state/ids/" + low + "-" + run + ".bin";
            }
        }, targets, 0, 0, false);
        for (StateSeal.NewLeaf leaf : sealed.leaves()) {
            if (bucket.put(leaf.key(), leaf.bytes()) != null) {
                throw new AssertionError("two runs wrote " + leaf.key());
            }
        }
        sealed.garbage().forEach(bucket::remove);
        try {
            return ManifestCodec.decode(sealed.manifest(List.of()), key -> {
                byte[] b = bucket.get(key);
                if (b == null) {
                    throw new LeafMissingException(key);
                }
                return b;
            });
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
