package io.sessionlake.session;

/**
 * A customer in a leaf of the state: read ({@link CustomerHistory}), or still as stored ({@link StoredCustomer}), so
 * that a run decodes and encodes only the customers it touches, not their neighbours in the leaf.
 */
sealed interface CustomerEntry permits CustomerHistory, StoredCustomer {
    long customerId();
}
