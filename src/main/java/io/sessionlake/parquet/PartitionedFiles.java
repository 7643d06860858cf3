package io.sessionlake.parquet;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * One local Parquet file per dt= partition for the rows of one run, opened on first use.
 * {@link #close()} returns the finished files by partition date, in date order.
 */
public final class PartitionedFiles<T> implements AutoCloseable {
    private final ParquetTable<T> table;
    private final Path dir;
    private final String name;
    private final Function<T, LocalDate> partitionOf;
    private final TreeMap<LocalDate, ParquetWriter<T>> writers = new TreeMap<>();
    private final TreeMap<LocalDate, Path> files = new TreeMap<>();
    private long rows;

    public PartitionedFiles(ParquetTable<T> table, Path dir, String name, Function<T, LocalDate> partitionOf) {
        this.table = table;
        this.dir = dir;
        this.name = name;
        this.partitionOf = partitionOf;
    }

    public void write(T row) throws IOException {
        LocalDate dt = partitionOf.apply(row);
        ParquetWriter<T> w = writers.get(dt);
        if (w == null) {
            Path file = dir.resolve(name + "-" + dt + ".parquet");
            w = table.open(file);
            writers.put(dt, w);
            files.put(dt, file);
        }
        w.write(row);
        rows++;
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
        for (ParquetWriter<T> w : writers.values()) {
            try {
                w.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        writers.clear();
        if (first != null) {
            throw first;
        }
    }
}
