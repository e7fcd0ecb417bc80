package dev.ficus.toolkit.messaging;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/** Brings the event routes in line with the flags every {@code route-interval}, on a thread of its own. */
final class EventRouteFollower implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EventRouteFollower.class);

    private final JdbcEventRoutes routes;
    private final Duration interval;
    private ScheduledExecutorService scheduler;

    EventRouteFollower(JdbcEventRoutes routes, Duration interval) {
        this.routes = routes;
        this.interval = interval;
    }

    @Override
    public synchronized void start() {
        CustomizableThreadFactory threads = new CustomizableThreadFactory("ficus-event-routes-");
        threads.setDaemon(true);
        scheduler = Executors.newSingleThreadScheduledExecutor(threads);
        scheduler.scheduleWithFixedDelay(this::follow, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void follow() {
        try {
            routes.follow();
        }
        catch (RuntimeException | Error e) {
            // Thrown out of a scheduled task, it would end the schedule: the routes would stop following the flags.
            log.warn("Could not bring the event routes in line with the flags; trying again in {}: {}", interval,
                    e.toString());
        }
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
