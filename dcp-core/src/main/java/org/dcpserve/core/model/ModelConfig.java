package org.dcpserve.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/**
 * Everything the graph builder and the engine need to know about a model, stored as
 * {@code config.json} in a model package (field names in snake_case there).
 *
 * @param architecture   gpt2 or llama
 * @param layers         number of transformer blocks
 * @param dModel         residual stream width d
 * @param heads          query heads
 * @param kvHeads        key/value heads (equal to heads unless grouped-query attention)
 * @param headDim        width of one attention head; {@code head_dim} 0 or absent (packages before format 4)
 *                       means {@code d_model / heads}. Qwen3 sets it explicitly, so {@code heads * head_dim}
 *                       need not be {@code d_model}: q is {@code [heads * head_dim]} wide and the output
 *                       projection maps that width back to {@code d_model}
 * @param ffnDim         hidden width of the MLP
 * @param vocabSize      number of token ids
 * @param contextLength  most positions the model was trained for (prompt + generated)
 * @param normEps        epsilon of LayerNorm (gpt2) or RMSNorm (llama)
 * @param ropeTheta      RoPE base (llama only; ignored for gpt2)
 * @param ropeLayout     which components of a head RoPE rotates together (llama only; absent before format 4:
 *                       {@code interleaved}, llama2.c's pairs)
 * @param ropeScaling    how the RoPE frequencies are rescaled for a longer context, or absent for none (llama only)
 * @param attentionBias  whether the q, k and v projections have biases ({@code bq, bk, bv}; Qwen2). Llama only:
 *                       gpt2 always has them, and absent means false
 * @param qkNorm         whether every head's q and k go through an RMSNorm of width {@code head_dim}
 *                       ({@code q_norm, k_norm}) before RoPE (Qwen3; llama only; absent means false)
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
        int headDim,
        int ffnDim,
        int vocabSize,
        int contextLength,
        float normEps,
        float ropeTheta,
        RopeLayout ropeLayout,
        RopeScaling ropeScaling,
        boolean attentionBias,
        boolean qkNorm,
        TokenizerSpec tokenizer,
        DcpSpec dcp,
        Provenance provenance) {

    /**
     * 4: the config gained {@code head_dim}, {@code rope_layout}, {@code rope_scaling}, {@code attention_bias} and
     * {@code qk_norm} (Hugging Face Llama-family models); the graph files of a model without them are those of 3,
     * and a format-3 config reads as one with the defaults documented above.
     * 3: the weight-free {@code attention.onnx} reads B sequences' caches head-major, {@code [B, Hkv, C, hd]},
     * so one call attends a whole decode step. 2 had the same files with an attention over one sequence's
     * slot-major cache {@code [S, Hkv, hd]}; 1 had attention and the MLP in {@code layer_NN_attn.onnx}. Both
     * still load (see {@link ModelPackage#graphs}).
     */
    public static final int FORMAT_VERSION = 4;

    public ModelConfig {
        require(layers > 0, "layers must be positive");
        require(heads > 0 && kvHeads > 0 && heads % kvHeads == 0, "heads must be a multiple of kv_heads");
        if (headDim == 0) {
            require(dModel % heads == 0, "d_model must be a multiple of heads");
            headDim = dModel / heads;
        }
        require(headDim > 0, "head_dim must be positive");
        boolean llama = architecture == Architecture.LLAMA;
        require(llama || headDim * heads == dModel, "gpt2 needs head_dim * heads = d_model");
        require(llama || !attentionBias && !qkNorm && ropeScaling == null, "gpt2 has no attention_bias, qk_norm or rope_scaling");
        require(!llama || headDim % 2 == 0, "RoPE needs an even head_dim");
        // gpt2 has no RoPE; a llama config without a layout (format 3 and older) rotates llama2.c's pairs.
        ropeLayout = !llama ? null : ropeLayout == null ? RopeLayout.INTERLEAVED : ropeLayout;
        require(vocabSize > 0 && contextLength > 0 && ffnDim > 0, "sizes must be positive");
        require(architecture != Architecture.GPT2 || heads == kvHeads, "gpt2 has no grouped-query attention");
        require(dcp == null || dcp.beta().length == layers, "dcp.beta needs one value per layer");
    }

    /**
     * A config without the Hugging Face Llama-family options: {@code head_dim = d_model / heads}, interleaved RoPE
     * (llama) without scaling, no q/k/v biases besides gpt2's, no q/k norms.
     */
    public ModelConfig(int formatVersion, Architecture architecture, int layers, int dModel, int heads, int kvHeads,
                       int ffnDim, int vocabSize, int contextLength, float normEps, float ropeTheta,
                       TokenizerSpec tokenizer, DcpSpec dcp, Provenance provenance) {
        this(formatVersion, architecture, layers, dModel, heads, kvHeads, 0, ffnDim, vocabSize, contextLength,
                normEps, ropeTheta, null, null, false, false, tokenizer, dcp, provenance);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("invalid model config: " + message);
        }
    }

    /** Width of all query heads together: what attention produces and the output projection reads. */
    public int qDim() {
        return heads * headDim;
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
        return new ModelConfig(version, architecture, layers, dModel, heads, kvHeads, headDim, ffnDim, vocabSize,
                contextLength, normEps, ropeTheta, ropeLayout, ropeScaling, attentionBias, qkNorm, tokenizer, dcp, provenance);
    }

    public ModelConfig withContextLength(int length) {
        return new ModelConfig(formatVersion, architecture, layers, dModel, heads, kvHeads, headDim, ffnDim, vocabSize,
                length, normEps, ropeTheta, ropeLayout, ropeScaling, attentionBias, qkNorm, tokenizer, dcp, provenance);
    }

    public ModelConfig withDcp(DcpSpec newDcp) {
        return new ModelConfig(formatVersion, architecture, layers, dModel, heads, kvHeads, headDim, ffnDim, vocabSize,
                contextLength, normEps, ropeTheta, ropeLayout, ropeScaling, attentionBias, qkNorm, tokenizer, newDcp, provenance);
    }

    public ModelConfig withProvenance(Provenance newProvenance) {
        return new ModelConfig(formatVersion, architecture, layers, dModel, heads, kvHeads, headDim, ffnDim, vocabSize,
                contextLength, normEps, ropeTheta, ropeLayout, ropeScaling, attentionBias, qkNorm, tokenizer, dcp, newProvenance);
    }

    /**
     * RoPE's inverse frequencies {@code theta^(-2i / head_dim)}, i = 0 .. head_dim/2 - 1, rescaled by
     * {@link #ropeScaling} when there is one: what rotation i of every head turns by per position.
     */
    public double[] ropeInverseFrequencies() {
        double[] inverse = new double[headDim / 2];
        for (int i = 0; i < inverse.length; i++) {
            inverse[i] = 1.0 / Math.pow(ropeTheta, 2.0 * i / headDim);
        }
        return ropeScaling == null ? inverse : ropeScaling.rescale(inverse);
    }

    /** Which components of a head RoPE rotates together, by the frequency of rotation i. */
    public enum RopeLayout {
        /** Pairs (0, 1), (2, 3), ...: component 2i and 2i + 1 turn by frequency i (llama2.c, Meta's original code). */
        INTERLEAVED("interleaved"),
        /** Halves: component i and i + head_dim/2 turn by frequency i (Hugging Face's rotate_half). */
        HALVES("halves");

        private final String id;

        RopeLayout(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }
    }

    /**
     * How RoPE frequencies are rescaled to stretch a model's context (Hugging Face's {@code rope_scaling}).
     *
     * @param type                          {@code linear}: every frequency divided by {@code factor};
     *                                      {@code llama3}: Llama 3.1's rule, below
     * @param factor                        how much longer the context is than the one trained
     * @param lowFreqFactor                 llama3: wavelengths above {@code original / low_freq_factor} are divided by
     *                                      {@code factor}
     * @param highFreqFactor                llama3: wavelengths below {@code original / high_freq_factor} stay; between
     *                                      the two bounds the frequency is interpolated smoothly
     * @param originalMaxPositionEmbeddings llama3: the context length the model was first trained for
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RopeScaling(String type, double factor, Double lowFreqFactor, Double highFreqFactor,
                              Integer originalMaxPositionEmbeddings) {
        public static final String LINEAR = "linear";
        public static final String LLAMA3 = "llama3";

        public RopeScaling {
            require(LINEAR.equals(type) || LLAMA3.equals(type), "rope_scaling type '" + type + "' is not supported"
                    + " (only " + LINEAR + " and " + LLAMA3 + ")");
            require(factor > 0, "rope_scaling factor must be positive");
            require(!LLAMA3.equals(type) || lowFreqFactor != null && highFreqFactor != null
                    && originalMaxPositionEmbeddings != null && highFreqFactor > lowFreqFactor,
                    "llama3 rope_scaling needs low_freq_factor < high_freq_factor and original_max_position_embeddings");
        }

        double[] rescale(double[] inverse) {
            double[] out = new double[inverse.length];
            for (int i = 0; i < inverse.length; i++) {
                out[i] = LINEAR.equals(type) ? inverse[i] / factor : llama3(inverse[i]);
            }
            return out;
        }

        private double llama3(double inverse) {
            double wavelength = 2 * Math.PI / inverse;
            double original = originalMaxPositionEmbeddings;
            if (wavelength < original / highFreqFactor) {
                return inverse;
            }
            if (wavelength > original / lowFreqFactor) {
                return inverse / factor;
            }
            double smooth = (original / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
            return (1 - smooth) * inverse / factor + smooth * inverse;
        }
    }

    /**
     * How text becomes token ids.
     *
     * @param kind  {@code llama2c} (a {@code tokenizer.bin} file in the package), {@code gpt2} (BPE ranks
     *              from jtokkit, no file) or {@code bpe} (our own byte-level BPE, a {@code tokenizer.json}
     *              file in the package; see {@link org.dcpserve.core.tokenizer.BpeTokenizer}) or {@code huggingface}
     *              (a Hugging Face {@code tokenizer.json}, as shipped beside a Llama-family checkpoint)
     * @param bosId id prepended to every prompt, or null when the model uses none
     * @param eosId id that ends generation
     * @param moreEosIds further ids that end generation (Llama 3.1's end-of-turn ids beside its end of text, from
     *                   its config and {@code generation_config.json}); absent from a package that has none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenizerSpec(String kind, Integer bosId, int eosId,
                                @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> moreEosIds) {
        public static final String LLAMA2C = "llama2c";
        public static final String GPT2 = "gpt2";
        public static final String BPE = "bpe";
        public static final String HUGGING_FACE = "huggingface";

        public TokenizerSpec {
            moreEosIds = moreEosIds == null ? List.of() : List.copyOf(moreEosIds);
        }

        /** A tokenizer with one id that ends generation. */
        public TokenizerSpec(String kind, Integer bosId, int eosId) {
            this(kind, bosId, eosId, List.of());
        }

        /** Whether {@code id} ends generation. */
        public boolean isEos(int id) {
            return id == eosId || moreEosIds.contains(id);
        }
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
