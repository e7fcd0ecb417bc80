package dev.ficus.toolkit.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a reconciliation found.
 *
 * @param startedAt       when it started
 * @param took            how long it took
 * @param repaired        whether mismatches were repaired as they were found
 * @param streamCaughtUp  whether every row that differed was checked again after the stream had
 *                        applied what the source held when it was read; if not (the stream is
 *                        stopped, or far behind), a reported row may merely be in flight
 * @param tables          one entry per replicated table
 */
public record ReconciliationReport(Instant startedAt, Duration took, boolean repaired, boolean streamCaughtUp,
        List<TableReport> tables) {

    /** Rows that differ, are missing here, or are here but not in the source, over all tables. */
    public long mismatches() {
        return tables.stream().mapToLong(TableReport::mismatches).sum();
    }

    /**
     * One table compared.
     *
     * @param table          the table here ({@code schema.table})
     * @param source         the table in the source
     * @param sourceRows     rows in the source
     * @param targetRows     rows here
     * @param missing        rows of the source that are not here
     * @param unexpected     rows here that the source does not have
     * @param different      rows in both whose replicated columns differ
     * @param inFlight       rows that differed at first but agreed once the stream caught up: not
     *                       mismatches, changes on their way
     * @param repaired       mismatching rows repaired, when repairing
     * @param waiting        mismatching rows whose changes wait in the dead letters: not repaired,
     *                       their replay levels them
     * @param conflicts      rows of this table both sides changed to the same version, recorded by
     *                       the replication ({@code <schema>.conflicts})
     * @param mismatchedKeys keys of the mismatching rows (column name to value as text), the first
     *                       {@value Reconciler#REPORTED_KEYS} of them
     */
    public record TableReport(String table, String source, long sourceRows, long targetRows, long missing,
            long unexpected, long different, long inFlight, long repaired, long waiting, long conflicts,
            List<Map<String, String>> mismatchedKeys) {

        public long mismatches() {
            return missing + unexpected + different;
        }
    }
}
