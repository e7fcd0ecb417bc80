package dev.ficus.shop;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * On shutdown (SIGTERM), once Spring Boot has reported the instance not ready (it does so as the
 * context starts closing), it keeps serving for {@code ficus.drain.period}, long enough for a load balancer's health checks to take it out of
 * rotation; only then does the web server stop taking connections and finish the requests in
 * flight (Spring Boot's graceful shutdown). Without the pause, requests the balancer still sends
 * in the seconds before its checks notice would find the port closed.
 */
@Component
class Draining implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Draining.class);

    /**
     * @param period how long a stopping instance keeps serving after it reported not ready: more
     *               than the balancer's check interval times the failed checks it needs (HAProxy
     *               here: 1 s × 2), zero to stop at once
     */
    @ConfigurationProperties("ficus.drain")
    record Settings(@DefaultValue("5s") Duration period) {
    }

    private final Duration period;
    private volatile boolean running;

    Draining(Settings settings) {
        this.period = settings.period();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        if (!period.isZero() && !period.isNegative()) {
            log.info("Not ready any more; serving for {} more while the load balancer takes this instance out", period);
            try {
                Thread.sleep(period.toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops first, before the web server and everything else. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
