package org.dcpserve.server.generate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.load.ModelSource;
import org.springframework.stereotype.Component;

/**
 * Generation metrics, every one labelled by model and pruning policy (dense, dcp): requests, generated and
 * prompt tokens, time of whole generations, and the distribution of sparsity (fraction of causal attention
 * entries masked). Trace writes are counted by the trace recorder with the same labels.
 */
@Component
public class GenerationMetrics {

    private static final double[] SPARSITY_BUCKETS = {0.01, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0};

    private final MeterRegistry meters;
    private final String model;

    GenerationMetrics(MeterRegistry meters, ModelSource source) {
        this.meters = meters;
        this.model = source.name();
    }

    /** Records a finished generation (whether or not its trace is then stored). */
    void finished(Generation generation, long nanos) {
        String policy = generation.pruning().policy();
        Counter.builder("dcp.generation.requests").description("Generations run to the end")
                .tags("model", model, "policy", policy).register(meters).increment();
        Counter.builder("dcp.generation.tokens").description("Tokens generated")
                .tags("model", model, "policy", policy).register(meters).increment(generation.tokens().size());
        Counter.builder("dcp.generation.prompt.tokens").description("Prompt tokens fed")
                .tags("model", model, "policy", policy).register(meters).increment(generation.prompt().size());
        Timer.builder("dcp.generation.duration").description("Time of whole generations")
                .tags("model", model, "policy", policy).register(meters).record(nanos, TimeUnit.NANOSECONDS);
        DistributionSummary.builder("dcp.generation.sparsity")
                .description("Fraction of causal attention entries masked, per generation")
                .tags("model", model, "policy", policy).serviceLevelObjectives(SPARSITY_BUCKETS)
                .register(meters).record(generation.pruning().sparsity());
    }
}
