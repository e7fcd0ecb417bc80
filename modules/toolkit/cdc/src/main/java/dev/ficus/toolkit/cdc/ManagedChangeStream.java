package dev.ficus.toolkit.cdc;

import org.springframework.context.SmartLifecycle;

/**
 * A change stream made by {@link ChangeStreams#create}: register it as a bean and Spring starts it
 * after the other beans and stops it (saving its position) before them.
 */
public interface ManagedChangeStream extends ChangeStream, SmartLifecycle {

    /** Changes this stream's subscribers failed to handle. */
    DeadLetters deadLetters();
}
