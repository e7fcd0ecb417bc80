package dev.ficus.toolkit.replication;

/**
 * A source column that feeds a target column is gone (renamed or dropped): the table's changes
 * cannot be applied without writing nulls over data, so they wait until the mapping is mended.
 */
class SourceSchemaChanged extends IllegalStateException {

    SourceSchemaChanged(String message) {
        super(message);
    }
}
