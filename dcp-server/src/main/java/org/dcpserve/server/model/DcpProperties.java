package org.dcpserve.server.model;

import java.time.Duration;
import org.dcpserve.core.engine.ExecutionProvider;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the service, under {@code dcp.*}.
 *
 * @param model             a model package directory, a llama2.c checkpoint (tokenizer beside it), or a
 *                          Hugging Face GPT-2 or Llama-family directory
 * @param maxContext        most positions (prompt + generated) a sequence may have; unset: the model's own
 *                          context length. A model trained for 32k positions need not reserve 32k
 * @param executionProvider cpu or cuda
 * @param maxBatch          most sequences the step scheduler advances together in one forward step
 * @param maxQueued         most requests waiting to join the batch; one more is refused at once with a 429
 * @param maxKvBytes        most KV-cache bytes the running sequences may need together, each budgeted for its
 *                          dense worst case (prompt + max_new_tokens); a request that alone needs more is a 422
 * @param prefillChunk      most prompt tokens fed per step over all joining sequences
 * @param intraOpThreads    threads one ONNX Runtime graph call may use; 0: every core (one step runs at a time)
 * @param generationTimeout longest a request waits for its generation, queue included; past it the generation
 *                          is cancelled and the request answered 503
 * @param traceWriteTimeout longest a finished generation waits for its drop trace to be committed; past it the
 *                          request is answered 503 (trace not stored)
 */
@ConfigurationProperties("dcp")
public record DcpProperties(
        String model,
        Integer maxContext,
        @DefaultValue("cpu") ExecutionProvider executionProvider,
        @DefaultValue("32") int maxBatch,
        @DefaultValue("256") int maxQueued,
        @DefaultValue("1GB") DataSize maxKvBytes,
        @DefaultValue("256") int prefillChunk,
        @DefaultValue("0") int intraOpThreads,
        @DefaultValue("5m") Duration generationTimeout,
        @DefaultValue("30s") Duration traceWriteTimeout) {

    public DcpProperties {
        if (!generationTimeout.isPositive() || !traceWriteTimeout.isPositive()) {
            throw new IllegalArgumentException("dcp.generation-timeout and dcp.trace-write-timeout must be positive");
        }
    }
}
