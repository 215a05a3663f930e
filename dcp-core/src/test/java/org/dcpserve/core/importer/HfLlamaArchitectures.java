package org.dcpserve.core.importer;

import java.util.Map;
import org.dcpserve.core.importer.HfLlamaCheckpointWriter.Spec;

/**
 * One small checkpoint shape per supported Llama-family architecture, each with the options that set it apart, for
 * the tests that write them with {@link HfLlamaCheckpointWriter} and check them against {@link HfLlamaReference}.
 */
public final class HfLlamaArchitectures {

    /** Llama 3.1-style: GQA, llama3 frequency scaling (wavelengths in all three of its bands), an untied head. */
    public static final Spec LLAMA = new Spec("LlamaForCausalLM", 2, 64, 4, 2, null, 96, 101, 128, 10000,
            Map.of("rope_type", "llama3", "factor", 8.0, "low_freq_factor", 1.0, "high_freq_factor", 4.0,
                    "original_max_position_embeddings", 32), false, null, "F32", false);
    /** Mistral 0.1-style: one KV head for four query heads, a sliding window shorter than its positions, F16. */
    public static final Spec MISTRAL = new Spec("MistralForCausalLM", 2, 32, 4, 1, null, 48, 89, 64, 1e6, null, false, 48,
            "F16", false);
    /** Qwen2-style: q/k/v biases, tied embeddings, BF16 in two shards with an index. */
    public static final Spec QWEN2 = new Spec("Qwen2ForCausalLM", 2, 32, 4, 2, null, 64, 97, 64, 1e6, null, true, null,
            "BF16", true);
    /** Qwen3-style: per-head q/k norms, head_dim 16 with heads * head_dim = 64 != hidden 32, linear rope scaling. */
    public static final Spec QWEN3 = new Spec("Qwen3ForCausalLM", 2, 32, 4, 2, 16, 48, 103, 64, 1e6,
            Map.of("type", "linear", "factor", 2.0), false, null, "F32", false);

    private HfLlamaArchitectures() {
    }
}
