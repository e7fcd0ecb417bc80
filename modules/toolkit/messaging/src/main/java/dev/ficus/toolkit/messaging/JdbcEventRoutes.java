package dev.ficus.toolkit.messaging;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.ficus.toolkit.routing.Route;
import dev.ficus.toolkit.routing.Routers;

/**
 * Event routes in two tables: {@code route_switches}, one row per capability with the route new
 * events take, and {@code event_routes}, the route each event took. An event's transaction reads
 * the capability's row holding a shared advisory lock of the capability, which a switch takes
 * exclusively (advisory locks, unlike row share locks, cost no write per reader): the events routed
 * before a switch are all committed when it is, and none after it reads the old route.
 */
final class JdbcEventRoutes implements EventRoutes {

    private static final Logger log = LoggerFactory.getLogger(JdbcEventRoutes.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Routers routers;
    private final Outbox outbox;
    private final List<String> capabilities;
    private final String switches;
    private final String events;
    /** Capabilities whose flags were last seen pointing back after a handover: said once, not every round. */
    private final java.util.Set<String> refusedBack = java.util.concurrent.ConcurrentHashMap.newKeySet();

    JdbcEventRoutes(JdbcClient jdbc, TransactionTemplate transactions, Routers routers, Outbox outbox,
            List<String> capabilities, String schema, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.routers = routers;
        this.outbox = outbox;
        this.capabilities = List.copyOf(capabilities);
        this.switches = schema + ".route_switches";
        this.events = schema + ".event_routes";
        jdbc.sql("""
                create table if not exists %1$s (
                    capability     text        primary key,
                    route          text        not null,
                    switched_at    timestamptz not null,
                    handed_over_at timestamptz);
                create table if not exists %2$s (
                    capability text        not null,
                    event_key  text        not null,
                    route      text        not null,
                    decided_at timestamptz not null default now(),
                    acted_at   timestamptz,
                    primary key (capability, event_key));
                create index if not exists event_routes_pending on %2$s (capability)
                    where acted_at is null and route <> 'EXTRACTED';
                """.formatted(switches, events)).update();
        for (String capability : this.capabilities) {
            routers.wholeRoute(capability);  // fails at start for a capability routing does not know
            jdbc.sql("insert into " + switches + " (capability, route, switched_at) values (?, 'MONOLITH', now()) "
                    + "on conflict do nothing").params(capability).update();
        }
        meters.gauge("ficus.messaging.routes.pending", this, routes -> routes.states().values().stream()
                .mapToLong(State::pendingHere).sum());
    }

    @Override
    public Route decide(String capability, String key) {
        requireRouted(capability);
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("An event's route is decided in the transaction that publishes it");
        }
        jdbc.sql("select pg_advisory_xact_lock_shared(hashtext(?))").param(lockName(capability)).query().listOfRows();
        Route now = jdbc.sql("select route from " + switches + " where capability = ?")
                .param(capability).query(String.class).optional().map(Route::valueOf).orElse(Route.MONOLITH);
        int inserted = jdbc.sql("insert into " + events + " (capability, event_key, route) values (?, ?, ?) "
                + "on conflict do nothing").params(capability, key, now.name()).update();
        return inserted == 1 ? now : routeOf(capability, key);
    }

    @Override
    public Route routeOf(String capability, String key) {
        return jdbc.sql("select route from " + events + " where capability = ? and event_key = ?")
                .params(capability, key).query(String.class).optional().map(Route::valueOf).orElse(Route.MONOLITH);
    }

    @Override
    public void actedOn(String capability, String key) {
        jdbc.sql("update " + events + " set acted_at = now() where capability = ? and event_key = ? and acted_at is null")
                .params(capability, key).update();
    }

    @Override
    public Map<String, State> states() {
        Map<String, State> states = new LinkedHashMap<>();
        for (String capability : capabilities) {
            jdbc.sql("select route, switched_at, handed_over_at from " + switches + " where capability = ?")
                    .param(capability)
                    .query((row, number) -> new State(Route.valueOf(row.getString(1)),
                            row.getTimestamp(2).toInstant(), pendingHere(capability),
                            row.getTimestamp(3) == null ? null : row.getTimestamp(3).toInstant()))
                    .optional().ifPresent(state -> states.put(capability, state));
        }
        return states;
    }

    @Override
    public Optional<Instant> handedOverAt(String capability) {
        return jdbc.sql("select handed_over_at from " + switches + " where capability = ?").param(capability)
                .query(Timestamp.class).optional().map(Timestamp::toInstant);
    }

    private long pendingHere(String capability) {
        return jdbc.sql("select count(*) from " + events + " where capability = ? and acted_at is null "
                + "and route <> 'EXTRACTED'").param(capability).query(Long.class).single();
    }

    /**
     * Brings each capability's route in line with its flags, and tells the service once the module
     * acted on everything routed to it. Any instance may run it, at any time: the lock makes
     * each step happen once. The lock is taken only when there is something to do: while it is
     * asked for, every event of the capability being published waits.
     */
    void follow() {
        for (String capability : capabilities) {
            Route wanted = routers.wholeRoute(capability);
            Current seen = current(capability);
            boolean handoverReady = seen.route() == Route.EXTRACTED && seen.handedOverAt() == null
                    && pendingHere(capability) == 0;
            boolean settled = !handoverReady && (seen.route() == wanted || refusedBack.contains(capability));
            if (!settled) {
                transactions.executeWithoutResult(status -> follow(capability, wanted));
            }
            else if (seen.route() == wanted) {
                refusedBack.remove(capability);
            }
        }
    }

    private record Current(Route route, Timestamp handedOverAt) {
    }

    /** The advisory lock of a capability's route: shared by the events being routed, exclusive for a switch. */
    private static String lockName(String capability) {
        return "ficus-route:" + capability;
    }

    private Current current(String capability) {
        return jdbc.sql("select route, handed_over_at from " + switches + " where capability = ?")
                .param(capability)
                .query((row, number) -> new Current(Route.valueOf(row.getString(1)), row.getTimestamp(2)))
                .single();
    }

    private void follow(String capability, Route wanted) {
        jdbc.sql("select pg_advisory_xact_lock(hashtext(?))").param(lockName(capability)).query().listOfRows();
        Current current = current(capability);
        Route route = current.route();
        if (route == wanted) {
            refusedBack.remove(capability);
        }
        else if (route == Route.EXTRACTED && (current.handedOverAt() != null || anyRoutedToService(capability))) {
            // Events the service was given are its own to serve, once it owns the data: it keeps the route.
            if (refusedBack.add(capability)) {
                log.error("{}: the flags route events back to the module, but {}; new events stay with the service "
                        + "(going back from here is not supported yet; see the guide)", capability, current.handedOverAt() != null
                        ? "the service took the data over at " + current.handedOverAt().toInstant()
                        : "events were routed to the service already");
            }
        }
        else {
            jdbc.sql("update " + switches + " set route = ?, switched_at = now(), handed_over_at = null "
                    + "where capability = ?").params(wanted.name(), capability).update();
            log.info("{}: new events go to {} (were {})", capability, wanted, route);
            return;
        }
        if (route == Route.EXTRACTED && current.handedOverAt() == null && pendingHere(capability) == 0) {
            outbox.publish(HANDED_OVER, 1, capability, Map.of("capability", capability, "route", route.name()));
            jdbc.sql("update " + switches + " set handed_over_at = now() where capability = ?").param(capability).update();
            log.info("{}: the module acted on every event routed to it; the service is told to take over", capability);
        }
    }

    private boolean anyRoutedToService(String capability) {
        return Boolean.TRUE.equals(jdbc.sql("select exists (select 1 from " + events
                + " where capability = ? and route = 'EXTRACTED')").param(capability).query(Boolean.class).single());
    }

    private void requireRouted(String capability) {
        if (!capabilities.contains(capability)) {
            throw new IllegalArgumentException("Events of " + capability + " are not routed; routed are " + capabilities
                    + " (ficus.messaging.routed-capabilities)");
        }
    }
}
