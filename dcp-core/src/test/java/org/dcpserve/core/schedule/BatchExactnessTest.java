package org.dcpserve.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DcpGatePolicy;
import org.dcpserve.core.pruning.DensePolicy;
import org.dcpserve.core.pruning.DropEvent;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.pruning.SlidingWindowPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Continuous batching changes nothing a sequence sees: sequences of different lengths, joining the batch
 * at different steps (prompts fed in chunks beside others' decode steps) and leaving at different steps,
 * with the DCP gate dropping different tokens in each, generate the greedy tokens, the logits (within
 * 1e-4) and the drops they generate alone.
 */
class BatchExactnessTest {

    private static final double TOLERANCE = 1e-4;
    private static final int RANK = 8;
    private static final int[] PROMPT_LENGTHS = {12, 3, 9, 1, 17, 6, 11};
    private static final int[] NEW_TOKENS = {30, 8, 21, 14, 5, 26, 17};

    static Stream<ModelConfig> architectures() {
        return Stream.of(RandomModels.llamaConfig(), RandomModels.llamaFamilyConfig(), RandomModels.gpt2Config())
                .map(base -> base.withDcp(new ModelConfig.DcpSpec(RANK, filled(base.layers(), 1.2f))));
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void batchedGenerationEqualsEachSequenceGeneratedAlone(ModelConfig config) throws Exception {
        SplittableRandom random = new SplittableRandom(17);
        List<GreedyTask> tasks = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        List<PruningPolicy> policies = new ArrayList<>();
        for (int i = 0; i < PROMPT_LENGTHS.length; i++) {
            prompts.add(random.ints(PROMPT_LENGTHS[i], 0, config.vocabSize()).toArray());
            // Mostly the gate; one window and one dense sequence share the batch with it.
            policies.add(i == 2 ? new SlidingWindowPolicy(5) : i == 5 ? DensePolicy.INSTANCE : new DcpGatePolicy(config.dcp()));
            tasks.add(new GreedyTask(prompts.get(i), NEW_TOKENS[i], policies.get(i)));
        }
        try (OnnxTransformer model = new OnnxTransformer(config, GraphSet.build(config, RandomModels.weights(config, 2024)),
                ExecutionProvider.CPU)) {
            List<GreedyTask.Outcome> batched = new ArrayList<>();
            // At most 4 at a time and 7 prompt tokens per step: later sequences join as earlier ones leave,
            // and long prompts are fed in chunks beside the others' decode steps.
            long steps;
            try (StepScheduler scheduler = new StepScheduler(model, new SchedulerLimits(4, 16, Long.MAX_VALUE, 7))) {
                List<SequenceHandle<GreedyTask.Outcome>> handles = tasks.stream().map(scheduler::submit).toList();
                for (SequenceHandle<GreedyTask.Outcome> handle : handles) {
                    batched.add(handle.result().get(60, TimeUnit.SECONDS));
                }
                steps = scheduler.steps();
            }
            int totalTokens = Arrays.stream(NEW_TOKENS).sum();
            assertThat(steps).as("steps run sequences together").isLessThan(totalTokens / 2);

            List<List<DropEvent>> dropsPerSequence = new ArrayList<>();
            for (int i = 0; i < tasks.size(); i++) {
                GreedyTask.Outcome alone = GreedyTask.alone(new Sequence(model, policies.get(i)), prompts.get(i), NEW_TOKENS[i]);
                GreedyTask.Outcome together = batched.get(i);
                assertThat(together.tokens()).as("greedy tokens of sequence %d", i).isEqualTo(alone.tokens());
                double maxDiff = 0;
                for (int step = 0; step < alone.logits().size(); step++) {
                    for (int v = 0; v < config.vocabSize(); v++) {
                        maxDiff = Math.max(maxDiff, Math.abs(together.logits().get(step)[v] - alone.logits().get(step)[v]));
                    }
                }
                assertThat(maxDiff).as("max |batched - alone| logit of sequence %d", i).isLessThanOrEqualTo(TOLERANCE);
                List<DropEvent> drops = sorted(together.sequence().drops());
                assertThat(drops).as("drops of sequence %d", i).isEqualTo(sorted(alone.sequence().drops()));
                dropsPerSequence.add(drops);
            }
            assertThat(dropsPerSequence.get(0)).as("the gate drops tokens").isNotEmpty();
            assertThat(dropsPerSequence.get(0)).isNotEqualTo(dropsPerSequence.get(6));
            assertThat(dropsPerSequence.get(5)).as("the dense sequence drops nothing").isEmpty();
        }
    }

    /** Order within a step follows cache slots, which chunked prefill may arrange differently. */
    private static List<DropEvent> sorted(List<DropEvent> drops) {
        return drops.stream().sorted(Comparator.comparingInt(DropEvent::layer).thenComparingInt(DropEvent::position)).toList();
    }

    private static float[] filled(int n, float value) {
        float[] out = new float[n];
        Arrays.fill(out, value);
        return out;
    }
}
