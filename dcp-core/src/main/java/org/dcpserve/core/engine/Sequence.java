package org.dcpserve.core.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.pruning.DropEvent;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.pruning.PruningReport;

/**
 * One sequence being generated: its per-layer KV caches, the pruning policy that evicts from them,
 * and the forward pass that feeds new tokens through the sub-graphs. Not thread-safe; a sequence
 * belongs to one request.
 */
public final class Sequence {

    private final OnnxTransformer model;
    private final ModelConfig config;
    private final LayerGate gate;
    private final String policyName;
    private final int rank;
    private final LayerKvCache[] caches;
    private final List<DropEvent> drops = new ArrayList<>();
    private int[] droppedAt = new int[64];
    private int length;
    private int step;

    public Sequence(OnnxTransformer model, PruningPolicy policy) {
        this.model = model;
        this.config = model.config();
        this.gate = new LayerGate(policy);
        this.policyName = policy.name();
        if (policy.usesInteractionKeys() && !config.hasDcpGates()) {
            throw new IllegalArgumentException("policy " + policy.name() + " needs a model with DCP gates");
        }
        this.rank = policy.usesInteractionKeys() ? config.dcp().rank() : 0;
        this.caches = new LayerKvCache[config.layers()];
        for (int layer = 0; layer < caches.length; layer++) {
            caches[layer] = new LayerKvCache(config.kvDim(), rank);
        }
    }

    /** Tokens fed so far (prompt and generated). */
    public int length() {
        return length;
    }

    public LayerKvCache cache(int layer) {
        return caches[layer];
    }

    /** Every drop so far, in order. */
    public List<DropEvent> drops() {
        return List.copyOf(drops);
    }

    /** Feeds new tokens and returns the logits of the last one: [vocab]. */
    public float[] forward(int... tokens) {
        float[] hidden = run(tokens);
        return model.logits(Arrays.copyOfRange(hidden, hidden.length - config.dModel(), hidden.length));
    }

    /** Feeds new tokens and returns the logits of every one of them: [T, vocab]. */
    public float[] forwardAll(int... tokens) {
        return model.logits(run(tokens));
    }

    private float[] run(int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to feed");
        }
        if (length + tokens.length > config.contextLength()) {
            throw new ContextLengthExceededException(length + tokens.length, config.contextLength());
        }
        long[] ids = new long[tokens.length];
        long[] positions = new long[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            ids[i] = tokens[i];
            positions[i] = length + i;
        }
        float[] hidden = model.embed(ids, positions);                                     // [T, d]
        for (int layer = 0; layer < caches.length; layer++) {
            OnnxTransformer.Projection p = model.project(layer, hidden, positions);     // q [T,H,hd], k/v [T,Hkv,hd]
            LayerKvCache cache = caches[layer];
            for (int i = 0; i < tokens.length; i++) {
                cache.append(p.k(), p.v(), p.kInt(), i, (int) positions[i]);
            }
            int slots = cache.slotCount();
            if (droppedAt.length < slots) {
                droppedAt = new int[Math.max(slots, 2 * droppedAt.length)];
            }
            float[] mask = gate.vote(layer, step, cache, p.qInt(), rank, positions, droppedAt, drops); // [T, S]
            hidden = model.attend(layer, hidden, p.q(), cache, mask);                    // [T, d]
            LayerGate.evictDropped(cache, droppedAt, slots);
        }
        length += tokens.length;
        step++;
        return hidden;
    }

    /** Per-layer counts, sparsity and cache bytes as they stand now. */
    public PruningReport report() {
        int[] dropped = new int[caches.length];
        long[] maskedPairs = new long[caches.length];
        for (DropEvent drop : drops) {
            dropped[drop.layer()]++;
            // Dropped by voter m, token j is masked for every query k in [m, length).
            maskedPairs[drop.layer()] += length - drop.dropperPosition();
        }
        long causalPairs = (long) length * (length - 1) / 2;
        List<PruningReport.LayerStats> layers = new ArrayList<>(caches.length);
        double sparsity = 0;
        long held = 0;
        for (int layer = 0; layer < caches.length; layer++) {
            LayerKvCache cache = caches[layer];
            layers.add(new PruningReport.LayerStats(layer, cache.liveCount(), dropped[layer], cache.heldBytes()));
            sparsity += causalPairs == 0 ? 0 : (double) maskedPairs[layer] / causalPairs / caches.length;
            held += cache.heldBytes();
        }
        long dense = (long) length * caches.length * 2L * config.kvDim() * Float.BYTES;
        return new PruningReport(policyName, layers, sparsity, held, dense, List.copyOf(drops));
    }
}
