package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A manifest's base: read back as written, every changed byte refused, and the leaves a manifest lists on it (those
 * that differ) give back exactly the leaves of the state, for any replacements and splits.
 */
class ManifestBaseCodecTest {
    private static final String PACK_A = "state/customers/pack-r000000000001-a.bin";
    private static final String PACK_B = "state/customers/pack-r000000000002-b.bin";
    private static final Map<String, Long> SIZES = Map.of(PACK_A, 1_000_000L, PACK_B, 1_000_000L);

    /** {@code n} leaves at low keys 0, 10, 20, ... (the first from the lowest key), in pack A. */
    private static List<LeafRef> leaves(int n) {
        List<LeafRef> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new LeafRef(PACK_A, i == 0 ? Long.MIN_VALUE : 10L * i, 1 + i % 3, 0, 100L * i, 100));
        }
        return out;
    }

    @Test
    void aBaseReadsBackAsWritten() throws IOException {
        ManifestBase written = ManifestBase.of("state/customers/base-r1-x.bin", leaves(500), SIZES);
        ManifestBase read = ManifestBase.read(written.place(), written.stored());
        assertEquals(written.refs(), read.refs());
        assertEquals(written.place(), read.place());
    }

    /**
     * Every bit of every byte: refused, or (a Snappy copy of a repeating pattern pointed one period further back) read
     * as the very leaves written. Nothing else is ever accepted: the checksum covers what the bytes decode to.
     */
    @Test
    void aBaseWithAnyByteChangedOrOfAnotherLengthOrCountIsRefusedUnlessItReadsAsTheSameLeaves() throws IOException {
        ManifestBase written = ManifestBase.of("state/customers/base-r1-x.bin", leaves(40), SIZES);
        byte[] bytes = written.stored();
        int refused = 0;
        for (int i = 0; i < bytes.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] damaged = bytes.clone();
                damaged[i] ^= (byte) (1 << bit);
                try {
                    assertEquals(written.refs(), ManifestBase.read(written.place(), damaged).refs(), "byte " + i);
                } catch (IOException expected) {
                    refused++;
                }
            }
        }
        assertTrue(refused > bytes.length * 8 * 3 / 4, refused + " of " + bytes.length * 8 + " refused");
        assertThrows(IOException.class, () -> ManifestBase.read(written.place(),
                java.util.Arrays.copyOf(bytes, bytes.length - 1)));
        LeafRef otherCount = ManifestBase.placeOf(written.key(), 41, bytes.length);
        assertThrows(IOException.class, () -> ManifestBase.read(otherCount, bytes));
    }

    @Test
    void theLeavesListedOnABaseGiveBackTheStatesLeavesForAnyReplacementsAndSplits() throws IOException {
        Random r = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            List<LeafRef> base = leaves(1 + r.nextInt(30));
            ManifestBase b = ManifestBase.of("state/customers/base.bin", base, SIZES);
            // a state built on the base: leaves replaced (pack B), some split at keys inside their ranges
            TreeMap<Long, LeafRef> now = new TreeMap<>();
            base.forEach(l -> now.put(l.low(), l));
            int changes = r.nextInt(base.size() + 1);
            for (int c = 0; c < changes; c++) {
                LeafRef l = base.get(r.nextInt(base.size()));
                now.put(l.low(), new LeafRef(PACK_B, l.low(), 1, 0, 100L * c, 50));
                if (r.nextBoolean() && l.low() != Long.MIN_VALUE) {
                    long inside = l.low() + 1 + r.nextInt(9);
                    now.put(inside, new LeafRef(PACK_B, inside, 1, 0, 100L * c + 50, 50));
                }
            }
            List<LeafRef> current = new ArrayList<>(now.values());
            List<LeafRef> listed = StateRoundTrip.changesTo(base, current);
            ManifestBase.Merged merged = b.with(listed, SIZES);
            assertEquals(current, merged.refs(), "trial " + trial);
            assertArrayEquals(current.stream().mapToLong(LeafRef::low).toArray(), merged.lows(), "trial " + trial);
            // which leaves are listed, and the packs' weights, kept from the base's through the changes
            java.util.BitSet listedAt = new java.util.BitSet();
            for (int i = 0; i < current.size(); i++) {
                if (listed.contains(current.get(i))) {
                    listedAt.set(i);
                }
            }
            assertEquals(listedAt, merged.listed(), "trial " + trial);
            PackWeights walked = PackWeights.of(current);
            for (String pack : List.of(PACK_A, PACK_B)) {
                assertEquals(walked.leaves(pack), merged.weights().leaves(pack), pack + ", trial " + trial);
                assertEquals(walked.bytes(pack), merged.weights().bytes(pack), pack + ", trial " + trial);
            }
        }
    }

    /**
     * A base whose first leaf is stored with a low key of its own, not from the lowest key (this writer never stores one
     * so): once a run rewrites that leaf from the lowest key, the base's leaf at the old key is gone, which a listing on
     * the base cannot say (merged, it would come back beside the new one). Such a run writes a new base.
     */
    @Test
    void aRunThatRewritesAFirstLeafStoredWithALowKeyOfItsOwnWritesANewBase() throws IOException {
        String pack = "state/customers/pack-r1-a.bin";
        java.io.ByteArrayOutputStream packBytes = new java.io.ByteArrayOutputStream();
        List<LeafRef> refs = new ArrayList<>();
        for (long low : new long[] {5, 20, 40}) {
            byte[] leaf = LeafCodec.encodeCustomers(new CustomerEntry[] {new CustomerHistory(low)}, 0, 1);
            refs.add(new LeafRef(pack, low, 1, 0, packBytes.size(), leaf.length));
            packBytes.write(leaf);
        }
        Map<String, Long> sizes = Map.of(pack, (long) packBytes.size());
        ManifestBase base = ManifestBase.of("state/customers/base-r1-a.bin", refs, sizes);
        byte[] stored = packBytes.toByteArray();
        LeafSource source = ref -> java.util.Arrays.copyOfRange(stored, (int) ref.offset(),
                (int) (ref.offset() + ref.bytes()));
        Leaves<CustomerIndex> leaves = new Leaves<>(base.with(List.of(), sizes), sizes, source,
                LeafCodec::decodeCustomers, () -> new CustomerIndex(16));
        Leaves.Slot<CustomerIndex> first = leaves.slotFor(7);
        first.content.insert(new CustomerHistory(7));
        first.changed = true;
        SessionState state = new SessionState(SessionConfig.DEFAULT, 1, SessionState.NO_WATERMARK, new TreeMap<>(),
                new DedupeWindow(List.of(), Map.of(), LeafSource.NONE), leaves, StateAggregates.empty(), List.of(), base);
        StateSeal.LeafTargets targets = new StateSeal.LeafTargets(1, 16, 0).listing(0, 1.0);
        StateSeal.Sealed sealed = StateSeal.seal(state, new StateSeal.LeafNames() {
            @Override
            public String customers() {
                return "state/customers/pack-r2-b.bin";
            }

            @Override
            public String ids() {
                return "state/ids/pack-r2-b.bin";
            }

            @Override
            public String customerBase() {
                return "state/customers/base-r2-b.bin";
            }
        }, targets, 0, 0, false);
        assertTrue(sealed.listedOn() != null && sealed.listedOn() != base, "a new base");
        List<Long> lows = sealed.listedOn().refs().stream().map(LeafRef::low).toList();
        assertEquals(List.of(Long.MIN_VALUE, 7L, 20L, 40L), lows, "the first leaf from the lowest key, split; 5 gone");
    }

    @Test
    void aManifestWhoseBaseHasLeavesInAPackItDoesNotNameIsRefused() throws IOException {
        ManifestBase b = ManifestBase.of("state/customers/base.bin", leaves(5), SIZES);
        List<LeafRef> all = new ArrayList<>();
        for (LeafRef l : leaves(5)) {
            all.add(new LeafRef(PACK_B, l.low(), 1, 0, l.offset(), 10));
        }
        Map<String, Long> onlyB = Map.of(PACK_B, 1_000_000L);
        assertEquals(all, b.with(all, onlyB).refs(), "every leaf of pack A replaced: A need not be named");
        IOException refused = assertThrows(IOException.class, () -> b.with(all.subList(0, 4), onlyB));
        assertTrue(refused.getMessage().contains(PACK_A), refused.getMessage());
    }
}
