package io.sessionlake.session;

import java.util.List;
import java.util.Map;

/**
 * The state between two runs, as the store sees it: sealed into packs of leaves and a manifest, the packs put in a
 * map standing in for the bucket, retired packs deleted as soon as the next seal allows (no grace), and the manifest
 * read back, its leaves read from the map only when a run asks for them.
 */
final class StateRoundTrip {
    private StateRoundTrip() {
    }

    static SessionState through(Map<String, byte[]> bucket, SessionState state, StateSeal.LeafTargets targets) {
        String run = "run" + state.sequence();
        StateSeal.Sealed sealed = StateSeal.seal(state, new StateSeal.LeafNames() {
            @Override
            public String customers() {
                return "state/customers/pack-" + run + ".bin";
            }

            @Override
            public String ids() {
                return "state/ids/pack-" + run + ".bin";
            }
        }, targets, 0, 0, false);
        for (StateSeal.NewPack pack : sealed.packs()) {
            if (bucket.put(pack.key(), pack.bytes()) != null) {
                throw new AssertionError("two runs wrote " + pack.key());
            }
        }
        sealed.garbage().forEach(bucket::remove);
        try {
            return ManifestCodec.decode(sealed.manifest(List.of()), ref -> {
                byte[] b = bucket.get(ref.key());
                if (b == null) {
                    throw new LeafMissingException(ref.key());
                }
                return java.util.Arrays.copyOfRange(b, (int) ref.offset(), (int) (ref.offset() + ref.bytes()));
            });
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
