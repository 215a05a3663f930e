package org.dcpserve.bench;

import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;

/** The shapes of the KV benchmarks: the bench grid's, and Qwen2.5-0.5B's (its 24 layers and 2 KV heads). */
final class MixShapes {

    private MixShapes() {
    }

    static ModelConfig config(String name) {
        if (name.equals("qwen2.5-0.5b")) {
            // Qwen2.5-0.5B's config.json: 24 layers, hidden 896, 14 heads, 2 KV heads, MLP 4864, vocab 151936
            // (its QKV biases are left out: they do not change what the cache holds); context cut to 4096.
            return new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.LLAMA, 24, 896, 14, 2, 4864, 151936, 4096,
                    1e-6f, 1000000f, new ModelConfig.TokenizerSpec("llama2c", 151643, 151645), null, null);
        }
        return DecodeGrid.shape(name);
    }
}
