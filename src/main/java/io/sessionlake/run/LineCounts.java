package io.sessionlake.run;

import java.util.Map;
import java.util.TreeMap;

/** Where each non-blank line of one object ended up (SPEC 2); the five outcomes add up to {@code lines}. */
public final class LineCounts {
    long lines;
    long accepted;
    long anonymous;
    long duplicate;
    long late;
    long rejected;
    final TreeMap<String, Long> rejectedByReason = new TreeMap<>();
    final TreeMap<String, Long> unknownTypes = new TreeMap<>();

    public long lines() {
        return lines;
    }

    public long accepted() {
        return accepted;
    }

    public long anonymous() {
        return anonymous;
    }

    public long duplicate() {
        return duplicate;
    }

    public long late() {
        return late;
    }

    public long rejected() {
        return rejected;
    }

    public Map<String, Long> rejectedByReason() {
        return rejectedByReason;
    }

    public Map<String, Long> unknownTypes() {
        return unknownTypes;
    }

    public boolean addsUp() {
        return accepted + anonymous + duplicate + late + rejected == lines;
    }
}
