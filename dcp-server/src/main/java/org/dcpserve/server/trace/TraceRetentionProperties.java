package org.dcpserve.server.trace;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long drop traces are kept, under {@code dcp.traces.*}.
 *
 * @param retention      traces older than this are purged; 0 (the default) keeps them forever
 * @param purgeInterval  time between the end of one purge and the start of the next
 * @param purgeBatch     most traces deleted in one transaction, so a purge never holds locks for long
 * @param metricsInterval time between two readings of the database's trace count and size (metrics)
 */
@ConfigurationProperties("dcp.traces")
public record TraceRetentionProperties(
        @DefaultValue("0") Duration retention,
        @DefaultValue("10m") Duration purgeInterval,
        @DefaultValue("1000") int purgeBatch,
        @DefaultValue("1m") Duration metricsInterval) {

    public TraceRetentionProperties {
        if (retention.isNegative()) {
            throw new IllegalArgumentException("dcp.traces.retention must not be negative (0 keeps traces forever)");
        }
        if (purgeBatch < 1) {
            throw new IllegalArgumentException("dcp.traces.purge-batch must be at least 1");
        }
    }

    boolean keepsForever() {
        return retention.isZero();
    }
}
