package io.sessionlake.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sessionlake.feed.Event;
import io.sessionlake.session.IncrementalRun;
import io.sessionlake.session.SessionConfig;
import io.sessionlake.session.SessionState;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.testing.Buckets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsPublisherTest {
    @TempDir
    Path bucket;

    private static SessionState stateAfter(int runs) {
        SessionState s = SessionState.empty(SessionConfig.DEFAULT);
        for (int i = 0; i < runs; i++) {
            IncrementalRun run = new IncrementalRun(s);
            run.offer(new Event(i, "page_view", 1, 1_650_000_000_000_000L + i * 3_600_000_000L, null, null, null, null,
                    null, null, null, null));
            run.finish("events/" + i, "e");
        }
        return s;
    }

    private long publishedSequence() throws Exception {
        return new ObjectMapper().readTree(bucket.resolve(Layout.METRICS_KEY).toFile()).get("state_sequence").asLong();
    }

    @Test
    void olderStateDoesNotReplaceNewerMetrics() throws Exception {
        MetricsPublisher p = new MetricsPublisher(new LocalFolderStore(bucket), Buckets.FIXED_CLOCK);
        p.publish(stateAfter(3));
        p.publish(stateAfter(2));
        assertEquals(3, publishedSequence());
    }

    @Test
    void newerStateReplacesOlderMetrics() throws Exception {
        MetricsPublisher p = new MetricsPublisher(new LocalFolderStore(bucket), Buckets.FIXED_CLOCK);
        p.publish(stateAfter(2));
        p.publish(stateAfter(3));
        assertEquals(3, publishedSequence());
        assertEquals(3, new ObjectMapper().readTree(bucket.resolve(Layout.METRICS_KEY).toFile()).get("sessions").asInt());
    }
}
