package org.dcpserve.server.health;

import org.dcpserve.core.schedule.StepScheduler;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The step loop's part of /actuator/health (component {@code stepLoop}) and so of /health: UP while it takes
 * work, OUT_OF_SERVICE while the service drains or after it stopped, DOWN once the loop failed.
 */
@Component
class StepLoopHealthIndicator implements HealthIndicator {

    private final StepScheduler scheduler;

    StepLoopHealthIndicator(StepScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public Health health() {
        return switch (scheduler.state()) {
            case ACCEPTING -> Health.up().withDetail("running", scheduler.running())
                    .withDetail("queued", scheduler.queued()).build();
            case DRAINING -> Health.outOfService().withDetail("reason", "the service is shutting down").build();
            case CLOSED -> Health.outOfService().withDetail("reason", "the step loop was closed").build();
            case FAILED -> Health.down().withDetail("error", String.valueOf(scheduler.failure())).build();
        };
    }
}
