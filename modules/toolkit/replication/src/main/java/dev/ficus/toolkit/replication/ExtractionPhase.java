package dev.ficus.toolkit.replication;

/** Which side of a replication owns writes to the replicated tables. */
public enum ExtractionPhase {

    /** The source owns writes; this side serves reads from its copy and refuses writes. */
    READ_COPY,

    /** Writes were moved here; a replication in the other direction carries them back. */
    WRITES_MOVED
}
