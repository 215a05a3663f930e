package org.dcpserve.server.model;

import java.time.Duration;
import org.dcpserve.core.engine.ExecutionProvider;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the service, under {@code dcp.*}.
 *
 * @param model              a model package directory, a llama2.c checkpoint (tokenizer beside it) or a
 *                           Hugging Face GPT-2 directory
 * @param executionProvider  cpu or cuda
 * @param maxConcurrent      generations that run at the same time; more wait in line
 * @param maxQueueWait       how long a request waits for a free generation slot before a 429
 */
@ConfigurationProperties("dcp")
public record DcpProperties(
        String model,
        @DefaultValue("cpu") ExecutionProvider executionProvider,
        @DefaultValue("2") int maxConcurrent,
        @DefaultValue("30s") Duration maxQueueWait) {
}
