package org.dcpserve.server.health;

import org.dcpserve.server.trace.TraceRecorder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The trace writer's part of /actuator/health (component {@code traceWriter}): DOWN once its thread failed, since
 * no generation can be answered without its trace. Whether the database answers is Spring's {@code db} component.
 */
@Component
class TraceWriterHealthIndicator implements HealthIndicator {

    private final TraceRecorder recorder;

    TraceWriterHealthIndicator(TraceRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public Health health() {
        Throwable failure = recorder.failure();
        return failure == null ? Health.up().build() : Health.down().withDetail("error", failure.toString()).build();
    }
}
