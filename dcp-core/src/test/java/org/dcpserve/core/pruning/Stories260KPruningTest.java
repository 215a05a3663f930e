package org.dcpserve.core.pruning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.dcpserve.core.SharedData;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.engine.ReferenceTransformer;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.generate.GenerationRequest;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.generate.TokenListener;
import org.dcpserve.core.importer.ImportedModel;
import org.dcpserve.core.importer.Llama2cImporter;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.onnx.GraphSet;
import org.junit.jupiter.api.Test;

/** The real stories260K with random DCP gates bolted on: pruned generation stays exact. */
class Stories260KPruningTest {

    @Test
    void pruningTheRealModelWithRandomGatesIsExactAndDenseModeIsUnchanged() throws Exception {
        SharedData.assumePresent(SharedData.stories260K());
        ImportedModel imported = Llama2cImporter.load(SharedData.stories260K());
        int rank = 16;
        float[] beta = new float[imported.config().layers()];
        java.util.Arrays.fill(beta, 1.0f);
        ModelConfig config = imported.config().withDcp(new ModelConfig.DcpSpec(rank, beta));
        ModelWeights weights = imported.weights();
        SplittableRandom random = new SplittableRandom(12);
        for (int layer = 0; layer < config.layers(); layer++) {
            weights.put(ModelWeights.layer(layer, "wq_int"), RandomModels.gaussian(random, 0.5, config.dModel(), rank));
            weights.put(ModelWeights.layer(layer, "wk_int"), RandomModels.gaussian(random, 0.5, config.dModel(), rank));
        }
        try (OnnxTransformer model = new OnnxTransformer(config, GraphSet.build(config, weights), ExecutionProvider.CPU)) {
            TextGenerator generator = new TextGenerator(model, ModelLoader.tokenizer(config, imported.tokenizerFile()));
            Generation dense = generator.generate(request(false), TokenListener.NONE);
            assertThat(dense.text()).startsWith(", there was a little girl named Lily.");
            assertThat(dense.pruning().drops()).isEmpty();

            Generation pruned = generator.generate(request(true), TokenListener.NONE);
            PruningReport report = pruned.pruning();
            assertThat(report.policy()).isEqualTo("dcp");
            assertThat(report.sparsity()).isGreaterThan(0.2);

            // The tokens the pruned model fed (prompt + all generated but the last), recomputed densely with log I.
            int[] fed = IntStream.concat(pruned.prompt().stream().mapToInt(t -> t.id()),
                    pruned.tokens().stream().mapToInt(t -> t.id())).limit(pruned.prompt().size() + pruned.tokens().size() - 1L)
                    .toArray();
            double[][] expected = new ReferenceTransformer(config, weights)
                    .logits(fed, PruningExactnessTest.logKeep(config.layers(), fed.length, report.drops()));
            for (int i = 0; i < pruned.tokens().size(); i++) {
                int position = pruned.prompt().size() - 1 + i;
                int greedy = argmax(expected[position]);
                assertThat(pruned.tokens().get(i).id()).as("token %d", i).isEqualTo(greedy);
                assertThat((double) pruned.tokens().get(i).logprob()).as("log-probability of token %d", i)
                        .isCloseTo(logSoftmax(expected[position], greedy), org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    private static GenerationRequest request(boolean pruning) {
        return new GenerationRequest("Once upon a time", 60, SamplingParams.greedy(), List.of(), null, pruning);
    }

    private static double logSoftmax(double[] logits, int token) {
        double max = logits[argmax(logits)];
        double sum = 0;
        for (double logit : logits) {
            sum += Math.exp(logit - max);
        }
        return logits[token] - max - Math.log(sum);
    }

    private static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
