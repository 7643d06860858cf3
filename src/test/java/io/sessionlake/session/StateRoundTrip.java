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
        return through(bucket, state, targets, null);
    }

    /**
     * @param kept leaves the core decoded, kept across runs as a warm processor's cache keeps them (null: none kept, every
     *     leaf read from the map)
     */
    static SessionState through(Map<String, byte[]> bucket, SessionState state, StateSeal.LeafTargets targets,
            Map<LeafRef, LeafSource.Decoded> kept) {
        return through(bucket, state, targets, kept, false);
    }

    /** @param parallel the dedupe window sealed on a second thread, as a run with room in its heap does */
    static SessionState through(Map<String, byte[]> bucket, SessionState state, StateSeal.LeafTargets targets,
            Map<LeafRef, LeafSource.Decoded> kept, boolean parallel) {
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

            @Override
            public String customerBase() {
                return "state/customers/base-" + run + ".bin";
            }
        }, targets, 0, 0, parallel);
        requireKeptAsWalked(state, sealed, targets);
        for (StateSeal.NewPack pack : sealed.packs()) {
            if (bucket.put(pack.key(), pack.bytes()) != null) {
                throw new AssertionError("two runs wrote " + pack.key());
            }
        }
        sealed.garbage().forEach(bucket::remove);
        try {
            return ManifestCodec.decode(sealed.manifest(List.of()), new LeafSource() {
                @Override
                public byte[] read(LeafRef ref) {
                    byte[] b = bucket.get(ref.key());
                    if (b == null) {
                        throw new LeafMissingException(ref.key());
                    }
                    return java.util.Arrays.copyOfRange(b, (int) ref.offset(), (int) (ref.offset() + ref.bytes()));
                }

                @Override
                public Decoded decoded(LeafRef ref) {
                    return kept == null ? null : kept.get(ref);
                }

                @Override
                public void keep(LeafRef ref, Decoded leaf) {
                    if (kept != null) {
                        kept.put(ref, leaf);
                    }
                }
            });
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * What sealing kept through the run's changes instead of walking every leaf, against the walk: the pack of each
     * customer leaf, the weight of each pack (bytes and leaves), whether the manifest lists on the loaded base (the leaves
     * that differ from it, found by a walk, at most the share {@code targets} allow) and what it lists there.
     */
    static void requireKeptAsWalked(SessionState loaded, StateSeal.Sealed sealed, StateSeal.LeafTargets targets) {
        StateSeal.Part part = sealed.customerPart();
        for (int i = 0; i < part.refs.size(); i++) {
            if (!part.refs.get(i).key().equals(part.keys.get(i))) {
                throw new AssertionError("leaf " + i + " kept in " + part.keys.get(i) + ", its ref says " + part.refs.get(i));
            }
        }
        PackWeights kept = part.live();
        PackWeights walked = PackWeights.of(part.refs);
        java.util.Set<String> packs = new java.util.HashSet<>(kept.packs());
        packs.addAll(walked.packs());
        for (String pack : packs) {
            if (kept.leaves(pack) != walked.leaves(pack) || kept.bytes(pack) != walked.bytes(pack)) {
                throw new AssertionError("weights of " + pack + ": kept " + kept.leaves(pack) + " leaves, "
                        + kept.bytes(pack) + " B; walked " + walked.leaves(pack) + " leaves, " + walked.bytes(pack) + " B");
            }
        }
        ManifestBase base = loaded.customerBase;
        if (base != null) {
            List<LeafRef> differing = changesTo(base.refs(), part.refs);
            boolean onLoaded = differing != null && differing.size() <= targets.newBaseAbove() * base.refs().size();
            if (onLoaded != (sealed.listedOn() == base)) {
                throw new AssertionError((onLoaded ? "not listed" : "listed") + " on the loaded base, where "
                        + (differing == null ? "a leaf of the base is gone" : differing.size() + " leaves differ")
                        + " of its " + base.refs().size());
            }
            if (onLoaded && !differing.equals(sealed.listedCustomers())) {
                throw new AssertionError("listed on the base: " + sealed.listedCustomers() + ", but the leaves that"
                        + " differ from it are " + differing);
            }
        }
    }

    /**
     * The leaves of {@code current} (key order) that are not those of {@code base} at the same low key, found by a walk
     * over both; null when {@code current} lacks a low key of the base (no listing on it can give {@code current}).
     */
    static List<LeafRef> changesTo(List<LeafRef> base, List<LeafRef> current) {
        List<LeafRef> changes = new java.util.ArrayList<>();
        int b = 0;
        for (LeafRef c : current) {
            if (b < base.size() && base.get(b).low() < c.low()) {
                return null;
            }
            if (b < base.size() && base.get(b).low() == c.low()) {
                if (!base.get(b).equals(c)) {
                    changes.add(c);
                }
                b++;
            } else {
                changes.add(c);
            }
        }
        return b == base.size() ? changes : null;
    }
}
