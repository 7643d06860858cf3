package io.sessionlake.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sessionlake.run.Layout;
import io.sessionlake.run.RunSettings;
import io.sessionlake.store.LocalFolderStore;
import io.sessionlake.testing.Buckets;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state written by an earlier version is read as the same state this version builds. */
class StateFormatTest {

    @TempDir
    Path bucket;

    @Test
    void aFormat2StateOfTheGoldenFeedIsReadAsTodaysState() throws Exception {
        Buckets.copyGolden(bucket);
        Buckets.processAll(new LocalFolderStore(bucket), RunSettings.defaults());
        byte[] nowBytes = Files.readAllBytes(bucket.resolve(Layout.STATE_KEY));
        assertEquals("SLS4", new String(nowBytes, 0, 4, StandardCharsets.US_ASCII));
        byte[] format2;
        // state/state.bin of the same feed, written by sessionlake before format 3 (deflate, no shared strings)
        try (InputStream in = StateFormatTest.class.getResourceAsStream("/state/golden-format2.bin")) {
            format2 = in.readAllBytes();
        }
        assertEquals("SLST", new String(format2, 0, 4, StandardCharsets.US_ASCII));

        SessionState now = StateCodec.decode(new ByteArrayInputStream(nowBytes));
        SessionState old = StateCodec.decode(new ByteArrayInputStream(format2));
        // local ETags were computed with another checksum then: same objects, other version strings
        assertEquals(now.ledger().keySet(), old.ledger().keySet());
        old.ledger.clear();
        old.ledger.putAll(now.ledger);
        assertArrayEquals(nowBytes, StateCodec.encode(old));
        assertArrayEquals(nowBytes, StateCodec.encode(old, true), "sections on two threads, the same bytes");
    }
}
