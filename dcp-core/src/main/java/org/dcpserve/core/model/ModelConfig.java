package org.dcpserve.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Everything the graph builder and the engine need to know about a model, stored as
 * {@code config.json} in a model package (field names in snake_case there).
 *
 * @param architecture   gpt2 or llama
 * @param layers         number of transformer blocks
 * @param dModel         residual stream width d
 * @param heads          query heads
 * @param kvHeads        key/value heads (equal to heads unless grouped-query attention)
 * @param ffnDim         hidden width of the MLP
 * @param vocabSize      number of token ids
 * @param contextLength  most positions the model was trained for (prompt + generated)
 * @param normEps        epsilon of LayerNorm (gpt2) or RMSNorm (llama)
 * @param ropeTheta      RoPE base (llama only; ignored for gpt2)
 * @param tokenizer      how text becomes ids
 * @param dcp            gate parameters; null for a dense model
 * @param provenance     where the weights came from; may be null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelConfig(
        int formatVersion,
        Architecture architecture,
        int layers,
        int dModel,
        int heads,
        int kvHeads,
        int ffnDim,
        int vocabSize,
        int contextLength,
        float normEps,
        float ropeTheta,
        TokenizerSpec tokenizer,
        DcpSpec dcp,
        Provenance provenance) {

    /**
     * 3: the weight-free {@code attention.onnx} reads B sequences' caches head-major, {@code [B, Hkv, C, hd]},
     * so one call attends a whole decode step. 2 had the same files with an attention over one sequence's
     * slot-major cache {@code [S, Hkv, hd]}; 1 had attention and the MLP in {@code layer_NN_attn.onnx}. Both
     * still load (see {@link ModelPackage#graphs}).
     */
    public static final int FORMAT_VERSION = 3;

    public ModelConfig {
        require(layers > 0, "layers must be positive");
        require(heads > 0 && kvHeads > 0 && heads % kvHeads == 0, "heads must be a multiple of kv_heads");
        require(dModel % heads == 0, "d_model must be a multiple of heads");
        require(vocabSize > 0 && contextLength > 0 && ffnDim > 0, "sizes must be positive");
        require(architecture != Architecture.GPT2 || heads == kvHeads, "gpt2 has no grouped-query attention");
        require(dcp == null || dcp.beta().length == layers, "dcp.beta needs one value per layer");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("invalid model config: " + message);
        }
    }

    public int headDim() {
        return dModel / heads;
    }

    public int kvDim() {
        return kvHeads * headDim();
    }

    /** Query heads that share one key/value head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    public boolean hasDcpGates() {
        return dcp != null;
    }

    public ModelConfig withFormatVersion(int version) {
        return new ModelConfig(version, architecture, layers, dModel, heads, kvHeads, ffnDim, vocabSize,
                contextLength, normEps, ropeTheta, tokenizer, dcp, provenance);
    }

    public ModelConfig withDcp(DcpSpec newDcp) {
        return new ModelConfig(formatVersion, architecture, layers, dModel, heads, kvHeads, ffnDim, vocabSize,
                contextLength, normEps, ropeTheta, tokenizer, newDcp, provenance);
    }

    public ModelConfig withProvenance(Provenance newProvenance) {
        return new ModelConfig(formatVersion, architecture, layers, dModel, heads, kvHeads, ffnDim, vocabSize,
                contextLength, normEps, ropeTheta, tokenizer, dcp, newProvenance);
    }

    /**
     * How text becomes token ids.
     *
     * @param kind  {@code llama2c} (a {@code tokenizer.bin} file in the package), {@code gpt2} (BPE ranks
     *              from jtokkit, no file) or {@code bpe} (our own byte-level BPE, a {@code tokenizer.json}
     *              file in the package; see {@link org.dcpserve.core.tokenizer.BpeTokenizer})
     * @param bosId id prepended to every prompt, or null when the model uses none
     * @param eosId id that ends generation
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenizerSpec(String kind, Integer bosId, int eosId) {
        public static final String LLAMA2C = "llama2c";
        public static final String GPT2 = "gpt2";
        public static final String BPE = "bpe";
    }

    /**
     * Dynamic Context Pruning gate parameters (method.md section 1); the projection weights live in
     * the {@code proj} sub-graphs.
     *
     * @param rank interaction dimension r
     * @param beta per-layer gate bias
     */
    public record DcpSpec(int rank, float[] beta) {
    }

    /** Where a package came from, so a served model can always be traced back to its origin. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Provenance(String source, String importer, String createdAt, java.util.Map<String, Object> training) {
    }
}
