package org.dcpserve.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.KvLayout;
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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
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

    static Stream<Arguments> architecturesAndLayouts() {
        return Stream.of(RandomModels.llamaConfig(), RandomModels.llamaFamilyConfig(), RandomModels.gpt2Config())
                .map(base -> base.withDcp(new ModelConfig.DcpSpec(RANK, filled(base.layers(), 1.2f))))
                .flatMap(config -> Stream.of(KvLayout.values()).map(layout -> Arguments.of(config, layout)));
    }

    @ParameterizedTest
    @MethodSource("architecturesAndLayouts")
    void batchedGenerationEqualsEachSequenceGeneratedAlone(ModelConfig config, KvLayout layout) throws Exception {
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
            try (StepScheduler scheduler = new StepScheduler(model, new SchedulerLimits(4, 16, Long.MAX_VALUE, 7), layout)) {
                List<SequenceHandle<GreedyTask.Outcome>> handles = tasks.stream().map(scheduler::submit).toList();
                for (SequenceHandle<GreedyTask.Outcome> handle : handles) {
                    batched.add(handle.result().get(60, TimeUnit.SECONDS));
                }
                steps = scheduler.steps();
            }
            int totalTokens = Arrays.stream(NEW_TOKENS).sum();
            assertThat(steps).as("steps run sequences together").isLessThan(totalTokens / 2);

            List<List<DropEvent>> dropsPerSequence = assertEachAsAlone(model, prompts, policies, NEW_TOKENS, batched);
            assertThat(dropsPerSequence.get(0)).as("the gate drops tokens").isNotEmpty();
            assertThat(dropsPerSequence.get(0)).isNotEqualTo(dropsPerSequence.get(6));
            assertThat(dropsPerSequence.get(5)).as("the dense sequence drops nothing").isEmpty();
        }
    }

    /**
     * A KV budget that the caches pass mid-generation: window sequences first teach the scheduler that
     * pruned sequences keep little, then gated sequences that keep nearly everything join by that
     * expectation and outgrow the budget, so some are preempted (caches dropped) and resumed (fed again).
     * Every sequence still generates what it generates alone, and the caches never allocate much more than
     * the budget.
     */
    @ParameterizedTest
    @EnumSource(KvLayout.class)
    void aPreemptedAndResumedSequenceGeneratesWhatItGeneratesAlone(KvLayout layout) throws Exception {
        ModelConfig base = RandomModels.gpt2Config();
        ModelConfig config = base.withDcp(new ModelConfig.DcpSpec(RANK, filled(base.layers(), 4f)));
        SplittableRandom random = new SplittableRandom(5);
        int[] newTokens = {50, 50, 50, 36, 36, 36};
        List<int[]> prompts = new ArrayList<>();
        List<PruningPolicy> policies = new ArrayList<>();
        for (int i = 0; i < newTokens.length; i++) {
            prompts.add(random.ints(i < 3 ? 8 : 20, 0, config.vocabSize()).toArray());
            policies.add(i < 3 ? new SlidingWindowPolicy(3) : new DcpGatePolicy(config.dcp()));
        }
        long gatedNeed = (20 + 36) * Sequence.bytesPerToken(config, policies.get(3));
        long budget = gatedNeed * 22 / 10;
        try (OnnxTransformer model = new OnnxTransformer(config, GraphSet.build(config, RandomModels.weights(config, 99)),
                ExecutionProvider.CPU)) {
            List<GreedyTask.Outcome> batched = new ArrayList<>();
            AtomicLong peak = new AtomicLong();
            try (StepScheduler scheduler = new StepScheduler(model, new SchedulerLimits(8, 16, budget, 16), layout)) {
                List<SequenceHandle<GreedyTask.Outcome>> handles = new ArrayList<>();
                for (int i = 0; i < newTokens.length; i++) {
                    handles.add(scheduler.submit(new GreedyTask(prompts.get(i), newTokens[i], policies.get(i),
                            () -> peak.accumulateAndGet(scheduler.allocatedKvBytes(), Math::max))));
                }
                for (SequenceHandle<GreedyTask.Outcome> handle : handles) {
                    batched.add(handle.result().get(120, TimeUnit.SECONDS));
                }
                assertThat(scheduler.preemptions()).as("sequences preempted").isPositive();
            }
            if (layout == KvLayout.PER_SEQUENCE) {
                // (A shared pool also keeps the regions its sequences left: pooled bytes do not follow them.)
                assertThat(peak.get()).as("allocated bytes at any step").isLessThanOrEqualTo(budget * 3 / 2);
            }
            List<List<DropEvent>> drops = assertEachAsAlone(model, prompts, policies, newTokens, batched);
            assertThat(drops.get(3)).as("the gate drops tokens").isNotEmpty();
        }
    }

    /** Each batched outcome has the tokens, logits (within 1e-4) and drops of its sequence generated alone. */
    private static List<List<DropEvent>> assertEachAsAlone(OnnxTransformer model, List<int[]> prompts,
            List<PruningPolicy> policies, int[] newTokens, List<GreedyTask.Outcome> batched) {
        List<List<DropEvent>> dropsPerSequence = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            GreedyTask.Outcome alone = GreedyTask.alone(new Sequence(model, policies.get(i)), prompts.get(i), newTokens[i]);
            GreedyTask.Outcome together = batched.get(i);
            assertThat(together.tokens()).as("greedy tokens of sequence %d", i).isEqualTo(alone.tokens());
            double maxDiff = 0;
            for (int step = 0; step < alone.logits().size(); step++) {
                for (int v = 0; v < model.config().vocabSize(); v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(together.logits().get(step)[v] - alone.logits().get(step)[v]));
                }
            }
            assertThat(maxDiff).as("max |batched - alone| logit of sequence %d", i).isLessThanOrEqualTo(TOLERANCE);
            List<DropEvent> drops = sorted(together.sequence().drops());
            assertThat(drops).as("drops of sequence %d", i).isEqualTo(sorted(alone.sequence().drops()));
            dropsPerSequence.add(drops);
        }
        return dropsPerSequence;
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
