package org.dcpserve.train.model;

import static org.dcpserve.core.model.ModelWeights.layer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;

/**
 * A decoder-only transformer (gpt2, or llama: llama2.c's and the Hugging Face Llama family's, with
 * grouped-query attention, an explicit head_dim, q/k/v biases, per-head q/k norms and either RoPE layout
 * and frequency scaling, as the config says) with Dynamic Context Pruning gates, as trainable DJL
 * NDArrays: the same math as the engine's ONNX graphs (TransformerGraphs), batched and
 * differentiable. Parameters are created from canonical {@link ModelWeights} and exported back to
 * them, so a fine-tuned model becomes a model package the engine serves.
 *
 * <p>Parameters are stored under their canonical names (e.g. {@code layers.3.wq}, [in, out]) plus
 * {@code layers.N.beta} ([1]) for the gate bias. A tied output head (lm_head equal to the transposed
 * embedding in the base, as in llama2.c and GPT-2 checkpoints and with Hugging Face's tie_word_embeddings)
 * stays tied: it is not a parameter of its own and is written back as the transposed embedding.
 *
 * <p>Memory: every array a forward pass creates belongs to the manager of the token array passed in;
 * close that manager after the step. Operations always start from an activation, never from a
 * parameter, so that no temporary lands in the model's own manager.
 */
public final class DcpTransformer implements AutoCloseable {

    public static final String BETA = "beta";

    private final ModelConfig config;            // the base's config, without dcp (see exportConfig)
    private final NDManager manager;             // owns parameters and constant masks
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final boolean tiedHead;
    private final int gateRank;                  // 0 without gates
    private final List<Block> blocks = new ArrayList<>();
    private final Norm finalNorm;
    /** Constant masks of the last few sequence lengths (n x n each, so not every length is kept). */
    private final Map<Integer, Masks> masks = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Masks> eldest) {
            if (size() > MASK_CACHE) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };
    private static final int MASK_CACHE = 4;

    private DcpTransformer(NDManager manager, ModelConfig config, ModelWeights weights, GateSetup gates) {
        this.manager = manager;
        this.config = config.withDcp(null);
        int d = config.dModel();
        boolean gpt2 = config.architecture() == Architecture.GPT2;
        this.tiedHead = weights.get(ModelWeights.LM_HEAD).equals(weights.get(ModelWeights.TOK_EMBEDDINGS).transpose());

        boolean reuseGates = gates.enabled() && config.hasDcpGates() && weights.contains(layer(0, "wq_int"));
        this.gateRank = !gates.enabled() ? 0 : reuseGates ? config.dcp().rank() : gates.rank();
        Random gateRandom = new Random(gates.seed());

        param(ModelWeights.TOK_EMBEDDINGS, weights.get(ModelWeights.TOK_EMBEDDINGS));
        if (gpt2) {
            param(ModelWeights.POS_EMBEDDINGS, weights.get(ModelWeights.POS_EMBEDDINGS));
        }
        Rope rope = gpt2 ? null : new Rope(manager, config);
        for (int l = 0; l < config.layers(); l++) {
            Norm attnNorm = norm(weights, layer(l, "attn_norm"), gpt2);
            Attention attention = new Attention(
                    linear(weights, l, "wq", "bq"), linear(weights, l, "wk", "bk"),
                    linear(weights, l, "wv", "bv"), linear(weights, l, "wo", "bo"),
                    config.qkNorm() ? norm(weights, layer(l, "q_norm"), false) : null,
                    config.qkNorm() ? norm(weights, layer(l, "k_norm"), false) : null,
                    config.heads(), config.kvHeads(), config.headDim(), rope);
            InteractionGate gate = null;
            if (gates.enabled()) {
                FloatTensor wqInt = reuseGates ? weights.layerTensor(l, "wq_int") : gaussian(gateRandom, d, gateRank);
                FloatTensor wkInt = reuseGates ? weights.layerTensor(l, "wk_int") : gaussian(gateRandom, d, gateRank);
                float beta = reuseGates ? config.dcp().beta()[l] : gates.betaInit();
                gate = new InteractionGate(param(layer(l, "wq_int"), wqInt), param(layer(l, "wk_int"), wkInt),
                        param(layer(l, BETA), new FloatTensor(new float[] {beta}, 1)));
            }
            Norm mlpNorm = norm(weights, layer(l, "mlp_norm"), gpt2);
            Mlp mlp = gpt2
                    ? Mlp.gelu(linear(weights, l, "fc", "fc_bias"), linear(weights, l, "proj", "proj_bias"))
                    : Mlp.swiglu(param(layer(l, "w_gate"), weights.layerTensor(l, "w_gate")),
                            param(layer(l, "w_up"), weights.layerTensor(l, "w_up")),
                            param(layer(l, "w_down"), weights.layerTensor(l, "w_down")));
            blocks.add(new Block(attnNorm, attention, gate, mlpNorm, mlp));
        }
        this.finalNorm = norm(weights, ModelWeights.FINAL_NORM, gpt2);
        if (!tiedHead) {
            param(ModelWeights.LM_HEAD, weights.get(ModelWeights.LM_HEAD));
        }
    }

    /**
     * A trainable model initialised from canonical weights.
     *
     * @param parent  the manager under which the model's own manager is created
     * @param config  the base's config; its dcp spec (if any) is used only when gates are reused
     * @param weights canonical weights (with wq_int/wk_int when the base already has gates)
     * @param gates   whether to have gates, and how to make new ones
     */
    public static DcpTransformer create(NDManager parent, ModelConfig config, ModelWeights weights, GateSetup gates) {
        NDManager manager = parent.newSubManager();
        try {
            return new DcpTransformer(manager, config, weights, gates);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public boolean hasGates() {
        return gateRank > 0;
    }

    public boolean tiedHead() {
        return tiedHead;
    }

    /** The trainable parameters by name, in a fixed order (canonical names plus layers.N.beta). */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    public long parameterCount() {
        return parameters.values().stream().mapToLong(NDArray::size).sum();
    }

    /**
     * The forward pass over a batch of token sequences.
     *
     * @param tokens int64 token ids [B, n], n at most the context length; every array created here
     *               belongs to {@code tokens.getManager()}
     * @param mode   the attention mask
     */
    public Output forward(NDArray tokens, MaskMode mode) {
        NDManager local = tokens.getManager();
        int n = (int) tokens.getShape().get(1);
        if (n > config.contextLength()) {
            throw new IllegalArgumentException(n + " positions exceed the context length " + config.contextLength());
        }
        Masks m = masks.computeIfAbsent(n, length -> Masks.of(manager, length));
        NDArray x = embed(tokens, parameters.get(ModelWeights.TOK_EMBEDDINGS));                // [B, n, d]
        if (config.architecture() == Architecture.GPT2) {
            NDArray positions = local.arange(0, n, 1, DataType.INT64);                          // [n]
            x = x.add(embed(positions, parameters.get(ModelWeights.POS_EMBEDDINGS)));           // [B, n, d]
        }
        List<NDArray> keeps = new ArrayList<>(blocks.size());
        for (Block block : blocks) {
            x = block.forward(x, mode, m, keeps);                                               // [B, n, d]
        }
        NDArray xn = finalNorm.apply(x);                                                        // [B, n, d]
        NDArray logits = xn.matMul(head(local));                                               // [B, n, V]
        NDArray layerKeep = NDArrays.stack(new NDList(keeps));                                  // [L]
        return new Output(logits, layerKeep.mean(), layerKeep);
    }

    /**
     * Logits of one sequence, without gradient tracking: [n * V], row-major [n, V].
     */
    public float[] logits(int[] tokens, MaskMode mode) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager local = manager.newSubManager()) {
            long[] ids = new long[tokens.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = tokens[i];
            }
            NDArray batch = Ops.owned(local, ids, new Shape(1, ids.length));
            return forward(batch, mode).logits().toFloatArray();
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** The gate parameters as a model package describes them (rank, beta per layer), or null without gates. */
    public ModelConfig.DcpSpec dcpSpec() {
        if (!hasGates()) {
            return null;
        }
        float[] beta = new float[config.layers()];
        for (int l = 0; l < beta.length; l++) {
            beta[l] = parameters.get(layer(l, BETA)).toFloatArray()[0];
        }
        return new ModelConfig.DcpSpec(gateRank, beta);
    }

    /** The config to write into a package: the base config with this model's gates (or none). */
    public ModelConfig exportConfig() {
        return config.withDcp(dcpSpec());
    }

    /** The current weights in canonical layout, wq_int/wk_int included when the model has gates; beta is in {@link #dcpSpec}. */
    public ModelWeights toWeights() {
        ModelWeights weights = new ModelWeights();
        for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
            if (!entry.getKey().endsWith("." + BETA)) {
                weights.put(entry.getKey(), toTensor(entry.getValue()));
            }
        }
        if (tiedHead) {
            weights.put(ModelWeights.LM_HEAD, weights.get(ModelWeights.TOK_EMBEDDINGS).transpose());
        }
        return weights;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** ids [...] int64 -> rows of table [..., d] */
    private static NDArray embed(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** The output projection [d, V]; a tied head is the transposed embedding, made in the step's manager. */
    private NDArray head(NDManager local) {
        if (!tiedHead) {
            return parameters.get(ModelWeights.LM_HEAD);
        }
        NDArray transposed = parameters.get(ModelWeights.TOK_EMBEDDINGS).transpose();            // [d, V]
        transposed.attach(local);
        return transposed;
    }

    private Norm norm(ModelWeights weights, String prefix, boolean withBias) {
        return new Norm(param(prefix + ".weight", weights.get(prefix + ".weight")),
                withBias ? param(prefix + ".bias", weights.get(prefix + ".bias")) : null, config.normEps());
    }

    /**
     * A linear map of layer {@code l} with its bias when the weights have one: the engine's rule
     * (TransformerBlocks.linear), which gives gpt2 all its biases, Qwen2 those of q, k and v, Llama none.
     */
    private Linear linear(ModelWeights weights, int l, String weight, String bias) {
        String biasName = layer(l, bias);
        return new Linear(param(layer(l, weight), weights.layerTensor(l, weight)),
                weights.contains(biasName) ? param(biasName, weights.get(biasName)) : null);
    }

    private NDArray param(String name, FloatTensor tensor) {
        long[] shape = new long[tensor.rank()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = tensor.dim(i);
        }
        NDArray array = Ops.owned(manager, tensor.data(), new Shape(shape));
        array.setName(name);
        array.setRequiresGradient(true);
        parameters.put(name, array);
        return array;
    }

    private static FloatTensor gaussian(Random random, int d, int r) {
        float[] data = new float[d * r];
        double std = 1.0 / Math.sqrt(d);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (random.nextGaussian() * std);
        }
        return new FloatTensor(data, d, r);
    }

    static FloatTensor toTensor(NDArray array) {
        long[] shape = array.getShape().getShape();
        int[] dims = new int[shape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = Math.toIntExact(shape[i]);
        }
        return new FloatTensor(array.toFloatArray(), dims);
    }

    /**
     * @param logits    [B, n, V]
     * @param meanKeep  [] mean over layers of the mean keep probability I[k, j] over causal pairs j &lt; k
     *                  (1 for dense; the window's constant share for a sliding window)
     * @param layerKeep [L] the same per layer
     */
    public record Output(NDArray logits, NDArray meanKeep, NDArray layerKeep) {
    }
}
