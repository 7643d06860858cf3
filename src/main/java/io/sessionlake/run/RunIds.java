package io.sessionlake.run;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A run is named after the object version it processes, so a redelivered event finds the same run. */
public final class RunIds {
    private RunIds() {
    }

    public static String of(String key, String etag) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((key + "\n" + etag).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
