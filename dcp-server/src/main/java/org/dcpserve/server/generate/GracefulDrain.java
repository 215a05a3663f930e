package org.dcpserve.server.generate;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The first thing a stopping service does (SIGTERM): the highest lifecycle phase stops before the web server's
 * graceful shutdown, so while it drains Tomcat still takes connections and a new generation gets a 503 problem,
 * not a refused connection. Generations submitted before get up to the grace period
 * ({@code spring.lifecycle.timeout-per-shutdown-phase}) to run and commit their traces; what is left then is
 * cancelled when the scheduler closes.
 */
@Component
class GracefulDrain implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GracefulDrain.class);

    private final GenerationService service;
    private final Duration grace;
    private volatile boolean running;

    GracefulDrain(GenerationService service,
                  @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration grace) {
        this.service = service;
        this.grace = grace;
    }

    /** At start-up a no-op; after a stop (Spring's test framework pauses cached contexts so) it takes work again. */
    @Override
    public void start() {
        service.resume();
        running = true;
    }

    @Override
    public void stop() {
        log.info("Stopping: new generations are refused; waiting up to {} s for those in flight", grace.toSeconds());
        try {
            int left = service.drain(grace);
            if (left == 0) {
                log.info("Every generation in flight was answered");
            } else {
                log.warn("{} generations still in flight after {} s; they are cancelled", left, grace.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            running = false;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
