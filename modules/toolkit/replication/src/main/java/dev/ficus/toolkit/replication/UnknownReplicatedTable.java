package dev.ficus.toolkit.replication;

import java.util.List;

/** A table named in a request is not one that is replicated. */
public class UnknownReplicatedTable extends RuntimeException {

    public UnknownReplicatedTable(String table, List<String> replicated) {
        super("'" + table + "' is not a replicated table; these are: " + replicated);
    }
}
