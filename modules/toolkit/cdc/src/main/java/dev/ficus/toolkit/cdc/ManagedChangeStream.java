package dev.ficus.toolkit.cdc;

import java.util.List;

import org.springframework.context.SmartLifecycle;

/**
 * A change stream made by {@link ChangeStreams#create}: register it as a bean and Spring starts it
 * after the other beans and stops it (saving its position) before them.
 */
public interface ManagedChangeStream extends ChangeStream, SmartLifecycle {

    /** Changes this stream's subscribers failed to handle. */
    DeadLetters deadLetters();

    /**
     * Slots of other streams like this one on the same database that nothing reads (an
     * application removed, or not running, without its slot dropped): each keeps write-ahead log
     * until it is read again or dropped.
     */
    default List<Slot> abandonedSlots() {
        return List.of();
    }
}
