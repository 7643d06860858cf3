package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.feed.Event;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Customer leaves: a run reads only the customers it touches and copies the others as stored, and the leaf it writes
 * is the one writing every customer afresh would give; leaves of the first layout are read; changed bytes are refused.
 */
class LeafCodecTest {
    private static final long MINUTE = 60_000_000L;
    private static final long T0 = 1_650_000_000_000_000L;
    private static final long INACTIVITY = 30 * MINUTE;

    /** Twelve customers: none, one or several open sessions, finalized ones with and without an order, odd text. */
    private static CustomerIndex customers() {
        Random r = new Random(11);
        CustomerIndex index = new CustomerIndex(16);
        long id = 1;
        for (int c = 0; c < 12; c++) {
            long customer = 1_000 + c * 37L;
            CustomerHistory h = new CustomerHistory(customer);
            int sessions = c % 4;
            for (int s = 0; s < sessions; s++) {
                long start = T0 + (c * 10L + s * 120L) * MINUTE;
                for (int e = 0; e < 1 + r.nextInt(4); e++) {
                    String type = e == 2 && c % 3 == 0 ? "placed_order" : e == 0 ? "page_view" : "search";
                    h.place(new Event(id++, type, customer, start + e * 3 * MINUTE, "ua é " + (c % 3), "10.0.0." + c,
                            type.equals("page_view") ? "https://shop.example/p/" + s : null,
                            s == 1 ? null : "https://ref.example/" + c, null, null, null, null), INACTIVITY);
                }
            }
            if (c % 5 == 1) {
                h.finalizeEndingBefore(T0 + (c * 10L + 60) * MINUTE, x -> { });
            }
            index.insert(h);
        }
        return index;
    }

    private static byte[] encode(CustomerIndex index) {
        CustomerEntry[] sorted = index.sortedEntries();
        return LeafCodec.encodeCustomers(sorted, 0, sorted.length);
    }

    private static List<String> described(CustomerIndex index) {
        List<String> out = new ArrayList<>();
        for (CustomerEntry e : index.sortedEntries()) {
            CustomerHistory h = index.get(e.customerId());
            out.add(h.customerId() + " " + h.finalized().sessions + " " + h.finalized().purchased + " "
                    + Arrays.toString(h.finalized().durationsBeforePurchase()) + " " + h.currentOpenSessions());
        }
        return out;
    }

    private static int stored(CustomerIndex index) {
        int n = 0;
        for (CustomerEntry e : index.sortedEntries()) {
            n += e instanceof StoredCustomer ? 1 : 0;
        }
        return n;
    }

    @Test
    void untouchedCustomersAreCopiedAsStoredAndTheLeafIsTheOneWrittenAfresh() throws IOException {
        CustomerIndex original = customers();
        byte[] leaf = encode(original);
        CustomerIndex read = LeafCodec.decodeCustomers(leaf);
        assertEquals(12, stored(read), "nothing read before it is asked for");
        read.get(1_000 + 3 * 37L);
        assertEquals(11, stored(read));
        assertArrayEquals(leaf, encode(read), "a customer read and written again is the bytes it was stored as");
        assertEquals(described(original), described(read));
        assertEquals(0, stored(read), "described: every customer read");
        assertArrayEquals(leaf, encode(read));
    }

    @Test
    void finalizingReadsOnlyTheCustomersWithASessionEndingBeforeTheCutoff() throws IOException {
        long cutoff = T0 + 45 * MINUTE; // between the first sessions of the first customers and the later ones
        CustomerIndex expected = customers();
        int finalizedAll = expected.finalizeEndingBefore(cutoff);
        CustomerIndex read = LeafCodec.decodeCustomers(encode(customers()));
        assertEquals(finalizedAll, read.finalizeEndingBefore(cutoff));
        assertTrue(finalizedAll > 0, "the cutoff finalizes sessions");
        int touched = 12 - stored(read);
        assertTrue(touched > 0 && touched < 12, "read only where a session ends before the cutoff: " + touched);
        assertArrayEquals(encode(expected), encode(read));
        assertEquals(described(expected), described(read));
    }

    @Test
    void aLeafOfTheFirstLayoutIsReadWholeAndWrittenInTheSecond() throws IOException {
        CustomerIndex original = customers();
        CustomerHistory[] sorted = new CustomerHistory[12];
        int k = 0;
        for (CustomerEntry e : original.sortedEntries()) {
            sorted[k++] = (CustomerHistory) e;
        }
        // SLC1 as the previous version wrote it: strings shared across the leaf, no lengths, no checksum
        byte[] v1 = LeafCodec.block(LeafCodec.CUSTOMERS_V1_MAGIC, w -> {
            w.varInt(sorted.length);
            long prev = 0;
            for (CustomerHistory c : sorted) {
                w.varLong(c.customerId() - prev);
                prev = c.customerId();
                LeafCodec.writeCustomer(w, c);
            }
        });
        CustomerIndex read = LeafCodec.decodeCustomers(v1);
        assertEquals(0, stored(read), "a first-layout leaf is read whole");
        assertEquals(described(original), described(read));
        byte[] v2 = encode(read);
        assertArrayEquals(LeafCodec.CUSTOMERS_MAGIC, Arrays.copyOf(v2, 4));
        assertArrayEquals(encode(original), v2);
    }

    @Test
    void stringsThatDifferOnlyInLoneSurrogatesReadBackAsTheyWereStored() throws IOException {
        // the feed's JSON may escape a lone surrogate; UTF-8 has no form for it and writes '?', so both user agents
        // read back as "?": the second is then a repeat of the first, and must have been written as one
        long customer = 42;
        CustomerHistory h = new CustomerHistory(customer);
        for (String ua : List.of("\uD800", "\uDC00")) {
            long start = T0 + (ua.equals("\uD800") ? 0 : 120) * MINUTE;
            h.place(new Event(start, "page_view", customer, start, ua, "10.0.0.1", "https://shop.example/", null, null,
                    null, null, null), INACTIVITY);
        }
        CustomerIndex index = new CustomerIndex(16);
        index.insert(h);
        byte[] leaf = encode(index);
        CustomerIndex read = LeafCodec.decodeCustomers(leaf);
        assertEquals(2, read.get(customer).openSessionCount());
        assertArrayEquals(leaf, encode(read), "read and written again: the bytes it was stored as");
    }

    @Test
    void aRecordFoundDamagedWhenACustomerIsReadNamesThePackAndTheCustomer() throws IOException {
        // a leaf whose checksum holds (a writer's fault, not the store's) with a record cut short: found only when
        // the run asks for that customer, and named as a damaged pack of the state is
        byte[] leaf = LeafCodec.checkedBlock(LeafCodec.CUSTOMERS_MAGIC, w -> {
            w.varInt(1);
            w.varLong(5);
            w.varInt(2);
            w.raw(new byte[] {0, 0}, 0, 2); // no sessions, not purchased, then nothing
        });
        CustomerIndex read = LeafCodec.decodeCustomers(leaf, "state/customers/pack-r000000000007-abc.bin");
        StateUnreadableException e = assertThrows(StateUnreadableException.class, () -> read.get(5));
        assertEquals("state/customers/pack-r000000000007-abc.bin", e.key());
        assertTrue(e.getMessage().contains("customer 5"), e.getMessage());
    }

    @Test
    void aCountLargerThanTheBytesLeftIsRefusedBeforeAnythingIsAllocated() throws IOException {
        // a record claiming a billion durations before purchase: refused as damaged, not an OutOfMemoryError
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        StateBytes.Writer record = new StateBytes.Writer(bytes, 256);
        record.varInt(0); // finalized sessions
        record.bool(false); // purchased
        record.varInt(1_000_000_000); // durations before purchase
        record.flush();
        byte[] body = bytes.toByteArray();
        byte[] leaf = LeafCodec.checkedBlock(LeafCodec.CUSTOMERS_MAGIC, w -> {
            w.varInt(1);
            w.varLong(9);
            w.varInt(body.length);
            w.raw(body, 0, body.length);
        });
        CustomerIndex read = LeafCodec.decodeCustomers(leaf, "state/customers/pack-r000000000008-abc.bin");
        StateUnreadableException e = assertThrows(StateUnreadableException.class, () -> read.get(9));
        assertTrue(e.getMessage().contains("a count of 1000000000"), e.getMessage());
    }

    @Test
    void aSnappyHeaderClaimingMoreThanTheBlockCanHoldIsRefusedBeforeAllocating() {
        byte[] leaf = encode(customers());
        // the block's varint header (after the magic and the checksum) rewritten to claim 2^31-1 bytes
        byte[] claim = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
        int header = 8;
        int headerLength = 0;
        while ((leaf[header + headerLength] & 0x80) != 0) {
            headerLength++;
        }
        headerLength++;
        byte[] damaged = new byte[leaf.length - headerLength + claim.length];
        System.arraycopy(leaf, 0, damaged, 0, header);
        System.arraycopy(claim, 0, damaged, header, claim.length);
        System.arraycopy(leaf, header + headerLength, damaged, header + claim.length, leaf.length - header - headerLength);
        IOException e = assertThrows(IOException.class, () -> LeafCodec.decodeCustomers(damaged));
        assertTrue(e.getMessage().contains("claims 2147483647 uncompressed"), e.getMessage());
    }

    @Test
    void aLeafWithAnyByteChangedIsRefused() {
        byte[] leaf = encode(customers());
        for (int at = 0; at < leaf.length; at++) {
            byte[] damaged = leaf.clone();
            damaged[at] ^= 0x10;
            int where = at;
            assertThrows(IOException.class, () -> LeafCodec.decodeCustomers(damaged).forEach(c -> { }),
                    () -> "byte " + where + " of " + leaf.length + " changed");
        }
    }
}
