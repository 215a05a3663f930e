package org.dcpserve.core.pruning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.importer.HfLlamaCheckpointWriter;
import org.dcpserve.core.importer.HfLlamaReference;
import org.dcpserve.core.importer.HuggingFaceLlamaImporter;
import org.dcpserve.core.importer.ImportedModel;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.onnx.GraphSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gated model made from an imported Hugging Face checkpoint the way {@code dcp import --random-gates} makes one
 * (interaction projections ~ N(0, 1/d), one beta for every layer) prunes exactly: its pruned, compacted cache gives
 * the logits of Hugging Face's equations over the whole sequence with the additive mask log I of the same drops.
 */
class ImportedModelPruningExactnessTest {

    private static final double TOLERANCE = 1e-4;
    private static final int PROMPT = 12;
    private static final int DECODE_STEPS = 36;
    private static final int RANK = 8;

    @TempDir
    Path temp;

    @Test
    void aQwen3CheckpointWithRandomGatesPrunesExactly() throws IOException {
        HfLlamaCheckpointWriter.Spec spec = new HfLlamaCheckpointWriter.Spec("Qwen3ForCausalLM", 2, 32, 4, 2, 16, 48, 103,
                64, 1e6, Map.of("rope_type", "llama3", "factor", 4.0, "low_freq_factor", 1.0, "high_freq_factor", 4.0,
                        "original_max_position_embeddings", 16), false, null, "F32", false);
        Map<String, FloatTensor> tensors = HfLlamaCheckpointWriter.write(temp.resolve("qwen3"), spec, 11);
        ImportedModel imported = HuggingFaceLlamaImporter.load(temp.resolve("qwen3"));
        ModelConfig config = imported.config().withDcp(new ModelConfig.DcpSpec(RANK, PruningExactnessTest.filled(spec.layers(), 1.2f)));
        ModelWeights weights = imported.weights();
        SplittableRandom random = new SplittableRandom(260);
        for (int layer = 0; layer < config.layers(); layer++) {
            weights.put(ModelWeights.layer(layer, "wq_int"), RandomModels.gaussian(random, 1 / Math.sqrt(config.dModel()), config.dModel(), RANK));
            weights.put(ModelWeights.layer(layer, "wk_int"), RandomModels.gaussian(random, 1 / Math.sqrt(config.dModel()), config.dModel(), RANK));
        }

        int[] tokens = new SplittableRandom(3).ints(PROMPT + DECODE_STEPS, 0, config.vocabSize()).toArray();
        float[][] engine = new float[tokens.length][];
        Sequence sequence;
        try (OnnxTransformer model = new OnnxTransformer(config, GraphSet.build(config, weights), ExecutionProvider.CPU)) {
            sequence = new Sequence(model, new DcpGatePolicy(config.dcp()));
            float[] prefill = sequence.forwardAll(Arrays.copyOf(tokens, PROMPT));
            for (int t = 0; t < PROMPT; t++) {
                engine[t] = Arrays.copyOfRange(prefill, t * config.vocabSize(), (t + 1) * config.vocabSize());
            }
            for (int t = PROMPT; t < tokens.length; t++) {
                engine[t] = sequence.forward(tokens[t]);
            }
        }

        double[][] expected = new HfLlamaReference(spec, tensors)
                .logits(tokens, PruningExactnessTest.logKeep(config.layers(), tokens.length, sequence.drops()));
        double maxDiff = 0;
        for (int t = 0; t < tokens.length; t++) {
            for (int v = 0; v < config.vocabSize(); v++) {
                maxDiff = Math.max(maxDiff, Math.abs(engine[t][v] - expected[t][v]));
            }
        }
        System.out.printf("imported qwen3 with random gates: sparsity %.2f, max |pruned engine - masked reference| = %.3g%n",
                sequence.report().sparsity(), maxDiff);
        assertThat(sequence.report().sparsity()).as("a sizeable share of the context is pruned").isGreaterThan(0.3);
        assertThat(maxDiff).as("max |pruned engine - masked Hugging Face reference|").isLessThanOrEqualTo(TOLERANCE);
    }
}
