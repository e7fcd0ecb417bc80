package dev.ficus.toolkit.replication;

/** What a repair of one row did. */
public enum RepairResult {

    /** The source's row was written here. */
    COPIED,

    /** The source has no such row, so it was deleted here. */
    DELETED,

    /** The row here already was what it is in the source (the stream got there first): nothing written. */
    UNCHANGED,

    /** Neither side has the row (any more): nothing written. */
    NOTHING
}
