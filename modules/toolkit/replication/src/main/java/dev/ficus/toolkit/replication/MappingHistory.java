package dev.ficus.toolkit.replication;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.ficus.toolkit.replication.TableMapping.Column;

/**
 * Which source column fed which target column when the replication last started
 * ({@code <schema>.mappings}). Columns are matched by name, so a source column renamed or dropped
 * since would otherwise simply stop feeding its target column, unnoticed; with this record it is
 * noticed, and the table's changes wait until the mapping names the column's new name.
 */
final class MappingHistory {

    private MappingHistory() {
    }

    /**
     * The source columns that fed a target column before and are gone from the source now. While
     * there are none, the current mapping is recorded for next time.
     */
    static List<String> goneSourceColumns(JdbcClient here, String schema, String replication, String targetTable,
            List<Column> columns, Set<String> sourceColumns, Set<String> targetColumns) {
        String table = ReplicationTables.mappings(schema);
        Map<String, String> before = new LinkedHashMap<>();
        here.sql("select target_column, source_column from " + table + " where replication = ? and target_table = ?")
                .params(replication, targetTable)
                .query(rows -> {
                    before.put(rows.getString(1), rows.getString(2));
                });
        List<String> gone = new ArrayList<>();
        before.forEach((targetColumn, sourceColumn) -> {
            boolean fedNow = columns.stream().anyMatch(column -> column.target().equals(targetColumn));
            if (!fedNow && targetColumns.contains(targetColumn) && !sourceColumns.contains(sourceColumn)) {
                gone.add(sourceColumn);
            }
        });
        if (gone.isEmpty()) {
            here.sql("delete from " + table + " where replication = ? and target_table = ?")
                    .params(replication, targetTable).update();
            for (Column column : columns) {
                here.sql("insert into " + table + " (replication, target_table, target_column, source_column) "
                                + "values (?, ?, ?, ?)")
                        .params(replication, targetTable, column.target(), column.source()).update();
            }
        }
        return List.copyOf(gone);
    }
}
