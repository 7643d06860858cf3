package io.sessionlake.session;

import java.util.AbstractCollection;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Customers by id, without boxing: every accepted event looks its customer up here, and a HashMap of
 * Longs allocated a key object per event. Open addressing over parallel arrays.
 */
final class CustomerIndex extends AbstractCollection<CustomerHistory> {
    private long[] ids;
    private CustomerHistory[] histories;
    private int size;

    CustomerIndex(int expected) {
        int capacity = Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
        ids = new long[capacity];
        histories = new CustomerHistory[capacity];
    }

    CustomerHistory get(long customerId) {
        return histories[slot(customerId)];
    }

    /** Adds a customer that is not in the index yet. */
    void insert(CustomerHistory c) {
        int i = slot(c.customerId());
        if (histories[i] != null) {
            throw new IllegalStateException("customer " + c.customerId() + " is in the index already");
        }
        ids[i] = c.customerId();
        histories[i] = c;
        size++;
        if (size * 2 > ids.length) {
            grow();
        }
    }

    @Override
    public int size() {
        return size;
    }

    /** The customers in id order, as the state is encoded. */
    CustomerHistory[] sortedById() {
        long[] sorted = new long[size];
        int n = 0;
        for (int i = 0; i < ids.length; i++) {
            if (histories[i] != null) {
                sorted[n++] = ids[i];
            }
        }
        Arrays.sort(sorted); // primitives: several times faster than sorting the objects by a key
        CustomerHistory[] all = new CustomerHistory[size];
        for (int k = 0; k < n; k++) {
            all[k] = get(sorted[k]);
        }
        return all;
    }

    @Override
    public Iterator<CustomerHistory> iterator() {
        return new Iterator<>() {
            private int next = advance(0);

            private int advance(int from) {
                int i = from;
                while (i < histories.length && histories[i] == null) {
                    i++;
                }
                return i;
            }

            @Override
            public boolean hasNext() {
                return next < histories.length;
            }

            @Override
            public CustomerHistory next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                CustomerHistory c = histories[next];
                next = advance(next + 1);
                return c;
            }
        };
    }

    private int slot(long id) {
        int mask = ids.length - 1;
        long h = id * 0x9E3779B97F4A7C15L;
        int i = (int) (h >>> 32) & mask;
        while (histories[i] != null && ids[i] != id) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        CustomerHistory[] old = histories;
        long[] oldIds = ids;
        ids = new long[ids.length * 2];
        histories = new CustomerHistory[ids.length];
        for (int k = 0; k < old.length; k++) {
            if (old[k] != null) { // the id from the array beside it: the history object itself is not read
                int i = slot(oldIds[k]);
                ids[i] = oldIds[k];
                histories[i] = old[k];
            }
        }
    }
}
