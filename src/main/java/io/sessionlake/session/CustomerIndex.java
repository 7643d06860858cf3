package io.sessionlake.session;

import java.util.AbstractCollection;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * Customers by id, without boxing: every accepted event looks its customer up here, and a HashMap of
 * Longs allocated a key object per event. Open addressing over parallel arrays. A customer still as its leaf stores
 * it ({@link StoredCustomer}) is read the first time it is asked for; iterating reads every one.
 */
final class CustomerIndex extends AbstractCollection<CustomerHistory> {
    private long[] ids;
    private CustomerEntry[] entries;
    private int size;

    CustomerIndex(int expected) {
        int capacity = Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
        ids = new long[capacity];
        entries = new CustomerEntry[capacity];
    }

    /** The customer, read from its stored record if it was not yet; null when it is not in the index. */
    CustomerHistory get(long customerId) {
        int i = slot(customerId);
        return entries[i] == null ? null : read(i);
    }

    boolean contains(long customerId) {
        return entries[slot(customerId)] != null;
    }

    /** Adds a customer that is not in the index yet. */
    void insert(CustomerEntry c) {
        int i = slot(c.customerId());
        if (entries[i] != null) {
            throw new IllegalStateException("customer " + c.customerId() + " is in the index already");
        }
        ids[i] = c.customerId();
        entries[i] = c;
        size++;
        if (size * 2 > ids.length) {
            grow();
        }
    }

    private CustomerHistory read(int i) {
        if (entries[i] instanceof StoredCustomer stored) {
            CustomerHistory c = stored.read();
            entries[i] = c;
            return c;
        }
        return (CustomerHistory) entries[i];
    }

    @Override
    public int size() {
        return size;
    }

    /** The customers in id order, as the state is encoded: those this run did not read, as they are stored. */
    CustomerEntry[] sortedEntries() {
        long[] sorted = new long[size];
        int n = 0;
        for (int i = 0; i < ids.length; i++) {
            if (entries[i] != null) {
                sorted[n++] = ids[i];
            }
        }
        Arrays.sort(sorted); // primitives: several times faster than sorting the objects by a key
        CustomerEntry[] all = new CustomerEntry[size];
        for (int k = 0; k < n; k++) {
            all[k] = entries[slot(sorted[k])];
        }
        return all;
    }

    /**
     * Finalizes the sessions ending before {@code cutoffMicros} in every customer: a stored one is read only when its
     * first open session ends before it (else nothing of it would change). The number finalized.
     */
    int finalizeEndingBefore(long cutoffMicros) {
        int[] count = {0};
        Consumer<Session> counting = s -> count[0]++;
        for (int i = 0; i < entries.length; i++) {
            CustomerEntry e = entries[i];
            if (e instanceof StoredCustomer stored && stored.firstOpenEnd() >= cutoffMicros) {
                continue;
            }
            if (e != null) {
                read(i).finalizeEndingBefore(cutoffMicros, counting);
            }
        }
        return count[0];
    }

    @Override
    public Iterator<CustomerHistory> iterator() {
        return new Iterator<>() {
            private int next = advance(0);

            private int advance(int from) {
                int i = from;
                while (i < entries.length && entries[i] == null) {
                    i++;
                }
                return i;
            }

            @Override
            public boolean hasNext() {
                return next < entries.length;
            }

            @Override
            public CustomerHistory next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                CustomerHistory c = read(next);
                next = advance(next + 1);
                return c;
            }
        };
    }

    private int slot(long id) {
        int mask = ids.length - 1;
        long h = id * 0x9E3779B97F4A7C15L;
        int i = (int) (h >>> 32) & mask;
        while (entries[i] != null && ids[i] != id) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        CustomerEntry[] old = entries;
        long[] oldIds = ids;
        ids = new long[ids.length * 2];
        entries = new CustomerEntry[ids.length];
        for (int k = 0; k < old.length; k++) {
            if (old[k] != null) { // the id from the array beside it: the entry itself is not read
                int i = slot(oldIds[k]);
                ids[i] = oldIds[k];
                entries[i] = old[k];
            }
        }
    }
}
