package dev.ficus.toolkit.cdc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership of a stream, held as a lease that PostgreSQL enforces: a session-level advisory lock
 * on a session whose {@code idle_session_timeout} is the lease's term. The leader renews it by
 * sending a statement on that session; a leader that stops renewing (its process frozen, its host
 * cut off without closing the socket, its stream stuck) loses the session, and with it the lock,
 * one term after its last renewal, whatever TCP does. Another instance may take over then.
 *
 * <p>The leader counts its lease from the moment it sent its last renewal, which is before the
 * server starts counting: when {@link #held()} turns false here, the server has not yet let the
 * lock go. A leader that finds its lease ran out (after a pause, say) confirms nothing more.
 */
final class Lease {

    private static final Logger log = LoggerFactory.getLogger(Lease.class);
    /** Leases taken in this JVM, by token: for the offset store, which Debezium creates by class name. */
    private static final Map<String, Lease> TAKEN = new ConcurrentHashMap<>();

    private final Connection session;
    private final long termNanos;
    private final String token = UUID.randomUUID().toString();
    private volatile long validUntil;

    private Lease(Connection session, Duration term, long sentAt) {
        this.session = session;
        this.termNanos = term.toNanos() - term.toNanos() / 10;
        this.validUntil = sentAt + termNanos;
    }

    /**
     * Takes the lease on {@code session} if no other session holds it. The session must stay
     * reserved for the lease: anything else it runs would renew it.
     */
    static Lease tryTake(Connection session, String name, Duration term) throws SQLException {
        long termMillis = term.toMillis();
        // A socket timeout: the PostgreSQL driver runs nothing on the executor.
        session.setNetworkTimeout(Runnable::run, (int) Math.max(1, termMillis / 2));
        try (var statement = session.createStatement()) {
            statement.execute("set idle_session_timeout = " + termMillis);
        }
        catch (SQLException e) {
            // PostgreSQL before 14: only TCP keepalive ends the session of a leader that vanished.
            log.warn("PostgreSQL does not enforce the lease on stream {} (idle_session_timeout: {}); a frozen or cut "
                    + "off leader keeps it until its connection is closed", name, e.getMessage());
        }
        long sentAt = System.nanoTime();
        try (var statement = session.prepareStatement("select pg_try_advisory_lock(hashtext(?))")) {
            statement.setString(1, "ficus-cdc:" + name);
            try (var result = statement.executeQuery()) {
                result.next();
                if (!result.getBoolean(1)) {
                    return null;
                }
            }
        }
        Lease lease = new Lease(session, term, sentAt);
        TAKEN.put(lease.token, lease);
        return lease;
    }

    /** Whether the lease with this token, taken in this JVM, is still held. */
    static boolean held(String token) {
        Lease lease = TAKEN.get(token);
        return lease != null && lease.held();
    }

    String token() {
        return token;
    }

    /** Whether the lease has not run out: only then may the leader confirm anything. */
    boolean held() {
        return System.nanoTime() - validUntil < 0;
    }

    /**
     * Renews the lease for another term; false if it is lost. A statement that succeeds on the
     * lease's session proves the lock still held when the server ran it, which is after it was sent.
     */
    boolean renew() {
        long sentAt = System.nanoTime();
        try (var statement = session.createStatement()) {
            statement.execute("select 1");
        }
        catch (SQLException e) {
            log.warn("Could not renew the lease on the change stream: {}", e.getMessage());
            release();
            return false;
        }
        validUntil = sentAt + termNanos;
        return true;
    }

    /** Gives the lease up here; the session's closing lets the server know. */
    void release() {
        validUntil = System.nanoTime() - 1;
        TAKEN.remove(token);
    }
}
