package org.dcpserve.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.generate.Decoding;
import org.dcpserve.core.generate.GeneratedToken;
import org.dcpserve.core.generate.GenerationRequest;
import org.dcpserve.core.generate.LogitRows;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DensePolicy;
import org.dcpserve.core.tokenizer.Gpt2Tokenizer;
import org.junit.jupiter.api.Test;

/** A batch's picks side by side: each once, the same tokens as one after another, failures handed to the caller. */
class PickThreadsTest {

    private static final int BATCH = 16;
    private static final int STEPS = 12;

    @Test
    void picksRunSideBySideEachOnce() throws Exception {
        AtomicIntegerArray runs = new AtomicIntegerArray(100);
        // Picks 0 and 1 wait for each other: one after the other, the barrier would time out.
        CyclicBarrier both = new CyclicBarrier(2);
        try (PickThreads picks = new PickThreads(2)) {
            picks.forEach(100, i -> {
                if (i < 2) {
                    try {
                        both.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError("picks 0 and 1 did not run at once", e);
                    }
                }
                runs.incrementAndGet(i);
            });
        }
        for (int i = 0; i < runs.length(); i++) {
            assertThat(runs.get(i)).as("runs of pick %d", i).isEqualTo(1);
        }
    }

    /**
     * Sixteen sampled generations with the real GPT-2 tokenizer over the same logit rows: side by side on four
     * threads they pick, score and stream exactly what they do one after another.
     */
    @Test
    void parallelPicksEqualSequentialOnesForTheSameSeeds() {
        ModelConfig config = new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.GPT2, 1, 16, 2, 2, 32,
                Gpt2Tokenizer.VOCAB_SIZE, 48, 1e-5f, 0f,
                new ModelConfig.TokenizerSpec("gpt2", null, Gpt2Tokenizer.EOS_ID), null, null);
        SplittableRandom random = new SplittableRandom(11);
        List<float[][]> steps = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            float[][] rows = new float[BATCH][];
            for (int i = 0; i < BATCH; i++) {
                rows[i] = LogitRows.HEAD.make(random, config.vocabSize());
            }
            steps.add(rows);
        }
        try (OnnxTransformer model = new OnnxTransformer(config, GraphSet.build(config, RandomModels.weights(config, 5)),
                ExecutionProvider.CPU)) {
            TextGenerator generator = new TextGenerator(model, new Gpt2Tokenizer());
            List<List<String>> sequential = decode(generator, steps, new PickThreads(1));
            List<List<String>> parallel = decode(generator, steps, new PickThreads(4));
            assertThat(parallel).isEqualTo(sequential);
            assertThat(sequential.getFirst()).hasSize(STEPS);
        }
    }

    /** Per sequence, every step's token, log-probability, top-3 and streamed text, as one string each. */
    private static List<List<String>> decode(TextGenerator generator, List<float[][]> steps, PickThreads picks) {
        List<Decoding> decodings = new ArrayList<>();
        List<List<String>> seen = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            List<String> tokens = new ArrayList<>();
            seen.add(tokens);
            GenerationRequest request = new GenerationRequest("The Congress", STEPS + 1,
                    new SamplingParams(0.8f, 0, 0.95f, 100 + i), List.of(), null, null, 3);
            decodings.add(generator.decoding(request, DensePolicy.INSTANCE,
                    (token, delta) -> tokens.add(describe(token) + " '" + delta + "'")));
        }
        try (picks) {
            for (float[][] rows : steps) {
                // Each run gets the rows as the step gave them (the picks mask ids in place).
                picks.forEach(BATCH, i -> decodings.get(i).next(rows[i].clone()));
            }
        }
        return seen;
    }

    private static String describe(GeneratedToken token) {
        return token.id() + " " + token.logprob() + " " + token.topTokens().stream()
                .map(alternative -> alternative.id() + ":" + alternative.logprob()).toList();
    }

    @Test
    void anErrorOfOnePickReachesTheCallerAsItWasThrownAfterTheOthersEnded() {
        OutOfMemoryError injected = new OutOfMemoryError("injected");
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxAfter = new AtomicInteger();
        try (PickThreads picks = new PickThreads(2)) {
            assertThatThrownBy(() -> picks.forEach(BATCH, i -> {
                running.incrementAndGet();
                try {
                    if (i == 3) {
                        throw injected;
                    }
                    sleep();
                } finally {
                    running.decrementAndGet();
                }
            })).isSameAs(injected);
            maxAfter.set(running.get());
            IllegalStateException failure = new IllegalStateException("a bug");
            assertThatThrownBy(() -> picks.forEach(BATCH, i -> {
                if (i == BATCH - 1) {
                    throw failure;
                }
            })).isSameAs(failure);
            AtomicInteger after = new AtomicInteger();
            picks.forEach(BATCH, i -> after.incrementAndGet());
            assertThat(after).as("the threads still pick after a failure").hasValue(BATCH);
        }
        assertThat(maxAfter).as("picks still running when forEach returned").hasValue(0);
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
