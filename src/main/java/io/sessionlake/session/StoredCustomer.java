package io.sessionlake.session;

import java.io.IOException;

/**
 * A customer as its leaf stores it: its record's place in the leaf's decompressed bytes. Written back as these bytes
 * when the run does not touch it (the encoding is canonical: decoding and encoding again gives the same bytes), read
 * when the run does.
 */
record StoredCustomer(long customerId, String pack, byte[] leaf, int from, int length) implements CustomerEntry {

    /** The customer's history; a record that does not decode is a state that cannot be read. */
    CustomerHistory read() {
        try {
            StateBytes.Reader r = new StateBytes.Reader(leaf, from, from + length);
            CustomerHistory c = LeafCodec.readCustomer(r, customerId, true);
            LeafCodec.requireEnd(r);
            return c;
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
    }

    /** Names the pack, as an error reading a whole leaf does, and the customer in it. */
    private StateUnreadableException unreadable(Exception e) {
        return new StateUnreadableException(pack, new IOException("customer " + customerId + ": " + e.getMessage(), e));
    }

    /**
     * When the customer's first open session ends (open sessions are in order and apart by more than the timeout, so
     * no later one ends sooner), {@link Long#MAX_VALUE} when none is open: whether a run must read it to finalize
     * sessions. Reads only the head of the record.
     */
    long firstOpenEnd() {
        try {
            StateBytes.Reader r = new StateBytes.Reader(leaf, from, from + length);
            return LeafCodec.firstOpenEnd(r);
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
    }
}
