package io.sessionlake.parquet;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * One local Parquet file per dt= partition for the rows of one run, opened on first use.
 * {@link #close()} returns the finished files by partition date, in date order.
 */
public final class PartitionedFiles<T> implements AutoCloseable {
    /**
     * Rows buffered across all open files before the fullest one is flushed early: an object spread over
     * many days must not hold a full row group per day in memory.
     */
    private static final int MAX_BUFFERED_ROWS = 2 * ParquetTable.ROW_GROUP_ROWS;

    private final ParquetTable<T> table;
    private final Path dir;
    private final String name;
    private final ToLongFunction<T> epochDayOf;
    private final TreeMap<LocalDate, TableFile<T>> writers = new TreeMap<>();
    private final TreeMap<LocalDate, Path> files = new TreeMap<>();
    private long rows;
    private TableFile<T> current;
    private long currentDay;

    /** @param epochDayOf the UTC day (days since 1970-01-01) whose dt= partition a row belongs to */
    public PartitionedFiles(ParquetTable<T> table, Path dir, String name, ToLongFunction<T> epochDayOf) {
        this.table = table;
        this.dir = dir;
        this.name = name;
        this.epochDayOf = epochDayOf;
    }

    public void write(T row) throws IOException {
        long day = epochDayOf.applyAsLong(row);
        // rows come mostly in runs of the same day: skip the map (and a LocalDate) for each of them
        if (current == null || day != currentDay) {
            LocalDate dt = LocalDate.ofEpochDay(day);
            current = writers.get(dt);
            if (current == null) {
                Path file = dir.resolve(name + "-" + dt + ".parquet");
                current = table.open(file);
                writers.put(dt, current);
                files.put(dt, file);
            }
            currentDay = day;
        }
        current.write(row);
        rows++;
        if ((rows & 4095) == 0 && writers.size() > 1) {
            boundBufferedRows();
        }
    }

    private void boundBufferedRows() throws IOException {
        long total = 0;
        TableFile<T> fullest = null;
        for (TableFile<T> w : writers.values()) {
            total += w.buffered();
            if (fullest == null || w.buffered() > fullest.buffered()) {
                fullest = w;
            }
        }
        if (total > MAX_BUFFERED_ROWS) {
            fullest.flush();
        }
    }

    public long rows() {
        return rows;
    }

    /** Closes every writer; @return the local files by partition date */
    public Map<LocalDate, Path> finish() throws IOException {
        close();
        return files;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        try {
            for (TableFile<T> w : writers.values()) {
                try {
                    w.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
        } finally {
            writers.clear();
            current = null;
        }
        if (first != null) {
            throw first;
        }
    }
}
