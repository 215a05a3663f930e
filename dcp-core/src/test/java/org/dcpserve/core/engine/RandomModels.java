package org.dcpserve.core.engine;

import java.util.SplittableRandom;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.model.RandomWeights;

/** Small models with random weights, large enough that attention patterns matter. */
public final class RandomModels {

    private RandomModels() {
    }

    public static ModelConfig llamaConfig() {
        return new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.LLAMA, 2, 32, 4, 2, 48, 97, 64,
                1e-5f, 10000f, new ModelConfig.TokenizerSpec("llama2c", 1, 2), null, null);
    }

    /**
     * A llama with every Hugging Face Llama-family option (Qwen3-like): head_dim 16, so heads * head_dim = 64 is
     * twice d_model; q/k/v biases; per-head q/k norms; RoPE on halves with llama3 frequency scaling.
     */
    public static ModelConfig llamaFamilyConfig() {
        return new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.LLAMA, 2, 32, 4, 2, 16, 48, 97, 64,
                1e-6f, 10000f, ModelConfig.RopeLayout.HALVES, new ModelConfig.RopeScaling("llama3", 8, 1.0, 4.0, 32),
                true, true, new ModelConfig.TokenizerSpec("llama2c", 1, 2), null, null);
    }

    public static ModelConfig gpt2Config() {
        return new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.GPT2, 2, 32, 4, 4, 64, 101, 64,
                1e-5f, 0f, new ModelConfig.TokenizerSpec("gpt2", null, 100), null, null);
    }

    /** Random weights for {@code config} (canonical layout), including DCP gates when the config has them. */
    public static ModelWeights weights(ModelConfig config, long seed) {
        return RandomWeights.of(config, seed);
    }

    public static FloatTensor gaussian(SplittableRandom random, double std, int... shape) {
        return RandomWeights.gaussian(random, std, shape);
    }
}
