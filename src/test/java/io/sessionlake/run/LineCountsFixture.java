package io.sessionlake.run;

/** Line counts with chosen values, for tests outside this package that map a report. */
public final class LineCountsFixture {
    private LineCountsFixture() {
    }

    public static LineCounts of(long accepted, long anonymous, long duplicate, long late, long rejected) {
        LineCounts c = new LineCounts();
        c.accepted = accepted;
        c.anonymous = anonymous;
        c.duplicate = duplicate;
        c.late = late;
        c.rejected = rejected;
        c.lines = accepted + anonymous + duplicate + late + rejected;
        return c;
    }
}
