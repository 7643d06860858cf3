package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionlake.feed.Event;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The customers a leaf holds by default: one in a small state, more as the state grows, as the seal applies it. */
class CustomerLeafTargetTest {
    private static final long MINUTE = 60_000_000L;
    private static final long T0 = 1_650_000_000_000_000L;
    private static final SessionConfig A_WEEK = new SessionConfig(Duration.ofMinutes(30), Duration.ofDays(7));

    @Test
    void theDefaultTargetGrowsWithTheSquareRootOfTheCustomers() {
        StateSeal.LeafTargets d = StateSeal.LeafTargets.DEFAULT;
        assertEquals(1, d.customersPerLeaf(0));
        assertEquals(1, d.customersPerLeaf(10_256), "the growth bench's 1M-event history");
        assertEquals(1, d.customersPerLeaf(56_249));
        assertEquals(2, d.customersPerLeaf(56_250));
        assertEquals(2, d.customersPerLeaf(102_564), "the growth bench's 10M-event history, the 1M-event object");
        assertEquals(2, d.customersPerLeaf(156_249));
        assertEquals(3, d.customersPerLeaf(156_250));
        assertEquals(6, d.customersPerLeaf(1_000_000));
        assertEquals(StateSeal.LeafTargets.MAX_CUSTOMERS_PER_LEAF, d.customersPerLeaf(Long.MAX_VALUE));
        assertEquals(4, new StateSeal.LeafTargets(4, 8).customersPerLeaf(1_000_000), "a fixed target stays");
    }

    @Test
    void aSealedStateHasLeavesOfOneCustomerWhenSmallAndOfTwoPastTheThreshold() {
        assertEquals(1, largestLeafAfterOneRun(1_000));
        assertEquals(2, largestLeafAfterOneRun(60_000));
    }

    /** One run of one event for each of {@code customers} customers on an empty state, sealed with the default. */
    private static int largestLeafAfterOneRun(int customers) {
        SessionState state = SessionState.empty(A_WEEK);
        IncrementalRun run = new IncrementalRun(state);
        for (long c = 1; c <= customers; c++) {
            run.offer(new Event(c, "page_view", c, T0 + MINUTE, "ua", "ip", null, null, null, null, null, null));
        }
        run.finish("object", "etag");
        Map<String, byte[]> bucket = new HashMap<>();
        SessionState read = StateRoundTrip.through(bucket, state, StateSeal.LeafTargets.DEFAULT);
        int largest = 0;
        int held = 0;
        for (int i = 0; i < read.customers.size(); i++) {
            largest = Math.max(largest, read.customers.ref(i).entries());
            held += read.customers.ref(i).entries();
        }
        assertEquals(customers, held, "every customer in a leaf");
        assertTrue(read.customers.size() >= customers / largest);
        return largest;
    }
}
