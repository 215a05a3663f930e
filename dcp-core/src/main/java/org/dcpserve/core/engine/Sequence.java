package org.dcpserve.core.engine;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.pruning.DropEvent;
import org.dcpserve.core.pruning.PruningPolicy;
import org.dcpserve.core.pruning.PruningReport;

/**
 * One sequence being generated: its per-layer KV caches and the pruning policy that evicts from them.
 * It is fed either on its own ({@link #forward}) or together with other sequences in a {@link BatchStep};
 * both run the same code, so a sequence's tokens, drops and logits do not depend on its company. Not
 * thread-safe; a sequence belongs to one request, and one step at a time.
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
    /** The interaction queries of the new tokens of the current step, [T, r], for the policy to read. */
    private float[] queries = new float[0];
    private int length;
    private int step;
    /** The step this sequence runs in when it is fed alone; created on first use. */
    private BatchStep alone;

    /** A sequence whose caches have pools of their own (fed alone, or in a step that attends it alone). */
    public Sequence(OnnxTransformer model, PruningPolicy policy) {
        this(model, policy, null);
    }

    /**
     * A sequence whose caches live in {@code pools}, one per layer (null: pools of its own); see
     * {@link BatchStep#newSequence}.
     */
    Sequence(OnnxTransformer model, PruningPolicy policy, KvPool[] pools) {
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
            caches[layer] = pools == null ? new LayerKvCache(config.kvHeads(), config.headDim(), rank, config.contextLength())
                    : new LayerKvCache(pools[layer], rank);
        }
    }

    /** Gives the caches' regions back to their pools, when the sequence has left; it must not be fed again. */
    public void release() {
        for (LayerKvCache cache : caches) {
            cache.release();
        }
    }

    /** Bytes one token takes in all layers' caches of a sequence with {@code policy}: a dense cache's share. */
    public static long bytesPerToken(ModelConfig config, PruningPolicy policy) {
        int rank = policy.usesInteractionKeys() && config.hasDcpGates() ? config.dcp().rank() : 0;
        return (long) config.layers() * (2L * config.kvDim() + rank) * Float.BYTES;
    }

    /** Tokens fed so far (prompt and generated). */
    public int length() {
        return length;
    }

    int layerCount() {
        return caches.length;
    }

    public LayerKvCache cache(int layer) {
        return caches[layer];
    }

    /** Bytes all layers' caches hold now (the slots attention scans). */
    public long heldBytes() {
        long held = 0;
        for (LayerKvCache cache : caches) {
            held += cache.heldBytes();
        }
        return held;
    }

    /**
     * Bytes this sequence's caches have allocated (buffers of their own, or regions of a shared pool padded
     * to its C, and interaction keys): what it gives back on {@link #release}.
     */
    public long allocatedBytes() {
        long allocated = 0;
        for (LayerKvCache cache : caches) {
            allocated += cache.allocatedBytes();
        }
        return allocated;
    }

    /** Every drop so far, in order. */
    public List<DropEvent> drops() {
        return List.copyOf(drops);
    }

    /** Feeds new tokens and returns the logits of the last one: [vocab]. */
    public float[] forward(int... tokens) {
        return alone().run(List.of(new BatchStep.Feed(this, tokens, BatchStep.Logits.LAST))).get(0);
    }

    /** Feeds new tokens and returns the logits of every one of them: [T, vocab]. */
    public float[] forwardAll(int... tokens) {
        return alone().run(List.of(new BatchStep.Feed(this, tokens, BatchStep.Logits.ALL))).get(0);
    }

    private BatchStep alone() {
        if (alone == null) {
            alone = new BatchStep(model);
        }
        return alone;
    }

    OnnxTransformer model() {
        return model;
    }

    void requireRoomFor(int tokens) {
        if (tokens == 0) {
            throw new IllegalArgumentException("no tokens to feed");
        }
        if (length + tokens > config.contextLength()) {
            throw new ContextLengthExceededException(length + tokens, config.contextLength());
        }
    }

    /**
     * Between a layer's projection and attention: appends the new tokens' keys (rows {@code row ..} of the
     * step's projection) to the layer's cache, collects the policy's votes and writes the additive mask
     * [T, maskWidth] into {@code mask} (maskWidth: the C of the cache's pool). Returns S, the slots in use.
     */
    int appendAndVote(int layer, ProjectionBuffers projection, int row, int count, FloatBuffer mask, int maskWidth) {
        LayerKvCache cache = caches[layer];
        for (int i = 0; i < count; i++) {
            cache.append(projection.k(), projection.v(), projection.kInt(), row + i, length + i);
        }
        if (cache.pool().capacity() != maskWidth) {
            throw new IllegalStateException("the pool was re-laid out while the step built its masks");
        }
        int slots = cache.slotCount();
        if (droppedAt.length < slots) {
            droppedAt = new int[Math.max(slots, 2 * droppedAt.length)];
        }
        if (rank > 0) {
            if (queries.length < count * rank) {
                queries = new float[count * rank];
            }
            projection.qInt().get(row * rank, queries, 0, count * rank);
        }
        gate.vote(layer, step, cache, queries, rank, length, count, droppedAt, drops, mask, maskWidth);
        return slots;
    }

    /** After a layer's attention: evicts what this step dropped from its cache for good. */
    void evictDropped(int layer, int slots) {
        LayerGate.evictDropped(caches[layer], droppedAt, slots);
    }

    /**
     * After all layers: the new tokens are part of the sequence. A prompt fed in several chunks is one step
     * (step 0 of the drop events), so only its last chunk {@code endsStep}.
     */
    void advance(int count, boolean endsStep) {
        length += count;
        if (endsStep) {
            step++;
        }
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
        for (int layer = 0; layer < caches.length; layer++) {
            LayerKvCache cache = caches[layer];
            layers.add(new PruningReport.LayerStats(layer, cache.liveCount(), dropped[layer], cache.heldBytes()));
            sparsity += causalPairs == 0 ? 0 : (double) maskedPairs[layer] / causalPairs / caches.length;
        }
        long dense = (long) length * caches.length * 2L * config.kvDim() * Float.BYTES;
        return new PruningReport(policyName, layers, sparsity, heldBytes(), dense, List.copyOf(drops));
    }
}
