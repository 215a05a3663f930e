package org.dcpserve.server.trace;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Runs the retention purge and the trace-store metrics on Spring's scheduler (one thread, off every request). */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class TraceRetentionConfiguration {
}
