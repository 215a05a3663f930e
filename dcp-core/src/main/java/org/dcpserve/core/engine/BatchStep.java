package org.dcpserve.core.engine;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.pruning.PruningPolicy;

/**
 * One forward step over many sequences at once. The new tokens of all sequences are stacked into N rows,
 * and every sub-graph with weights (embedding, projections, output projection + MLP, head) runs once over
 * them, so the weights are read once per step however many sequences there are. The sequences made by
 * {@link #newSequence} keep their caches in this step's per-layer {@link KvPool}s, so the attention of all
 * their decode tokens is one call per layer over the pool, each sequence with the mask its own policy
 * voted; a prompt chunk (T > 1), or a sequence with caches of its own, attends alone over its region. Per
 * layer:
 *
 * <pre>
 * hidden [N, d] -> proj -> q [N, H, hd], k, v [N, Hkv, hd], q_int, k_int [N, r]
 *   prompt chunk i (rows r_i .. r_i + T_i): append k, v, k_int to its cache; its policy votes; mask [1, T_i, C];
 *                  attention(q rows [1, T_i, H, hd], its region [1, Hkv, C, hd], mask) -> context rows; evict
 *   decode tokens: the same per sequence b, into row b of q [B, 1, H, hd] and mask [B, 1, C];
 *                  attention(q, pool [B, Hkv, C, hd], mask) -> [B, H*hd] -> each sequence's context row; evict
 * hidden [N, d], context [N, H*hd] -> out -> hidden [N, d]
 * </pre>
 *
 * The only copies of cache data are the new tokens' keys and values written into the pool, and the pool's
 * re-layout when C must grow or shrink (once in many steps); attention reads the pool in place (the K^T of
 * the graph is folded into its MatMul). Regions without a decode token this step get a zero mask row: their
 * output is computed and ignored. The buffers are reused across steps and grow with the largest step seen.
 * Not thread-safe: one step loop owns a BatchStep and its pools.
 */
public final class BatchStep {

    /** Which logits a feed wants back. */
    public enum Logits {
        /**
         * None: the feed is a chunk of a prompt that a later feed continues. Its tokens belong to the same
         * step as that later feed (the prefill is step 0 of the drop events however it is chunked).
         */
        NONE,
        /** Of the last new token: [vocab]. */
        LAST,
        /** Of every new token: [T, vocab]. */
        ALL
    }

    /** New tokens for one sequence in this step. */
    public record Feed(Sequence sequence, int[] tokens, Logits logits) {

        /** Rows of logits this feed wants. */
        int logitRows() {
            return switch (logits) {
                case NONE -> 0;
                case LAST -> 1;
                case ALL -> tokens.length;
            };
        }
    }

    private final OnnxTransformer model;
    private final ModelConfig config;
    private int rowCapacity;
    private FloatBuffer hidden;      // [N, d]
    private FloatBuffer nextHidden;  // [N, d]
    private FloatBuffer context;     // [N, H*hd]
    private FloatBuffer headInput;   // [R, d], the rows whose logits are wanted
    private FloatBuffer logitRows = DirectFloats.allocate(0); // [R, vocab], R only the rows asked for
    private ProjectionBuffers projection;
    private FloatBuffer mask = DirectFloats.allocate(0);          // [T_i, C] of a prompt chunk
    private final KvLayout layout;
    /** Per layer, the pool of {@link KvLayout#POOLED}; null for {@link KvLayout#PER_SEQUENCE}. */
    private final KvPool[] pools;
    private FloatBuffer pooledQueries = DirectFloats.allocate(0); // [B, H * hd]
    private FloatBuffer pooledMask = DirectFloats.allocate(0);    // [B, C]
    private FloatBuffer pooledContext = DirectFloats.allocate(0); // [B, H*hd]
    /** Indices of this layer's pooled decode feeds: the first {@code decodeCount}. */
    private int[] decodeFeeds = new int[0];
    private int decodeCount;
    private int[] decodeSlots = new int[0];
    private float[] zeroRow = new float[0];

    /** A step with the layout measured best for the model ({@link KvLayout#forModel}). */
    public BatchStep(OnnxTransformer model) {
        this(model, KvLayout.forModel(model.config()));
    }

    public BatchStep(OnnxTransformer model, KvLayout layout) {
        this.model = model;
        this.config = model.config();
        this.layout = layout;
        if (layout == KvLayout.POOLED) {
            this.pools = new KvPool[config.layers()];
            for (int layer = 0; layer < pools.length; layer++) {
                pools[layer] = new KvPool(config.kvHeads(), config.headDim(), 4, KvPool.GRAIN, config.contextLength());
            }
        } else {
            this.pools = null;
        }
    }

    public KvLayout layout() {
        return layout;
    }

    /**
     * A sequence whose caches this step's layout places: in its pools (decode tokens attended together with
     * the others'), or in buffers of its own. {@link Sequence#release} gives its memory back when it leaves.
     */
    public Sequence newSequence(PruningPolicy policy) {
        return new Sequence(model, policy, pools);
    }

    /**
     * Bytes of the shared pools' regions that no sequence holds (0 without pools); what the sequences
     * hold is their {@link Sequence#allocatedBytes}.
     */
    public long spareBytes() {
        long bytes = 0;
        for (int layer = 0; pools != null && layer < pools.length; layer++) {
            bytes += pools[layer].spareBytes();
        }
        return bytes;
    }

    /**
     * Feeds every sequence its new tokens in one pass. Returns, per feed in order, the logits it asked for
     * (null for {@link Logits#NONE}). Refuses the whole step, before running anything, when a sequence
     * appears twice, has no tokens or would pass the context length.
     */
    public List<float[]> run(List<Feed> feeds) {
        int n = validate(feeds);
        ensureRows(n);
        if (decodeFeeds.length < feeds.size()) {
            decodeFeeds = new int[feeds.size()];
            decodeSlots = new int[feeds.size()];
        }
        int d = config.dModel();
        long[] ids = new long[n];
        long[] positions = new long[n];
        int[] firstRow = new int[feeds.size()];
        int row = 0;
        for (int i = 0; i < feeds.size(); i++) {
            Feed feed = feeds.get(i);
            firstRow[i] = row;
            for (int t = 0; t < feed.tokens().length; t++, row++) {
                ids[row] = feed.tokens()[t];
                positions[row] = feed.sequence().length() + t;
            }
        }
        model.embed(ids, positions, rows(hidden, 0, n, d));                                   // [N, d]
        for (int layer = 0; layer < config.layers(); layer++) {
            model.project(layer, rows(hidden, 0, n, d), positions, projection);              // q [N,H,hd], k/v [N,Hkv,hd]
            decodeCount = 0;
            for (int i = 0; i < feeds.size(); i++) {
                Feed feed = feeds.get(i);
                if (feed.tokens().length == 1 && pools != null && feed.sequence().cache(layer).pool() == pools[layer]) {
                    decodeFeeds[decodeCount++] = i;
                } else {
                    attendAlone(layer, feed, firstRow[i]);                                   // context rows [T_i, H*hd]
                }
            }
            if (decodeCount > 0) {
                attendPooled(layer, feeds, firstRow);                                        // one context row each
            }
            model.output(layer, rows(hidden, 0, n, d), rows(context, 0, n, config.qDim()), n, rows(nextHidden, 0, n, d));
            FloatBuffer swap = hidden;
            hidden = nextHidden;
            nextHidden = swap;
        }
        for (Feed feed : feeds) {
            feed.sequence().advance(feed.tokens().length, feed.logits() != Logits.NONE);
        }
        return logits(feeds, firstRow);
    }

    private void attendAlone(int layer, Feed feed, int row) {
        Sequence sequence = feed.sequence();
        int t = feed.tokens().length;
        LayerKvCache cache = sequence.cache(layer);
        KvPool pool = cache.pool();
        pool.ensureCapacity(cache.slotCount() + t);   // before the mask is laid out C wide
        int c = pool.capacity();
        ensureMask(t * c);
        int s = sequence.appendAndVote(layer, projection, row, t, mask, c);                  // mask [T, C]
        int qWidth = config.qDim();
        model.attend(rows(projection.q(), row, t, qWidth), pool.keysOf(cache.region()), pool.valuesOf(cache.region()),
                rows(mask, 0, t, c), 1, t, c, rows(context, row, t, qWidth));
        sequence.evictDropped(layer, s);
        cache.fitOwnPool(1);                          // a cache of its own follows what it keeps (room for one more)
    }

    /** The decode tokens of the sequences in this layer's pool, in one attention call over the pool. */
    private void attendPooled(int layer, List<Feed> feeds, int[] firstRow) {
        KvPool pool = pools[layer];
        int needed = 0;
        for (int f = 0; f < decodeCount; f++) {
            int i = decodeFeeds[f];
            needed = Math.max(needed, feeds.get(i).sequence().cache(layer).slotCount() + 1);
        }
        pool.shrinkToFit(1);
        pool.ensureCapacity(needed);                  // before the mask rows are laid out C wide
        int b = pool.regionsInUse();
        int c = pool.capacity();
        int qWidth = config.qDim();
        ensurePooled(b, c, qWidth);
        for (int region = 0; region < b; region++) {
            pooledMask.put(region * c, zeroRow, 0, c);   // overwritten below for the rows fed
        }
        for (int f = 0; f < decodeCount; f++) {
            int i = decodeFeeds[f];
            Sequence sequence = feeds.get(i).sequence();
            int region = sequence.cache(layer).region();
            decodeSlots[i] = sequence.appendAndVote(layer, projection, firstRow[i], 1, rows(pooledMask, region, 1, c), c);
            pooledQueries.put(region * qWidth, projection.q(), firstRow[i] * qWidth, qWidth);
        }
        model.attend(rows(pooledQueries, 0, b, qWidth), pool.keys(b), pool.values(b), rows(pooledMask, 0, b, c),
                b, 1, c, rows(pooledContext, 0, b, qWidth));                                 // [B, H*hd]
        for (int f = 0; f < decodeCount; f++) {
            int i = decodeFeeds[f];
            Sequence sequence = feeds.get(i).sequence();
            context.put(firstRow[i] * qWidth, pooledContext, sequence.cache(layer).region() * qWidth, qWidth);
            sequence.evictDropped(layer, decodeSlots[i]);
        }
    }

    /** Runs the head over the rows whose logits are wanted and hands each feed its own. */
    private List<float[]> logits(List<Feed> feeds, int[] firstRow) {
        int d = config.dModel();
        int vocab = config.vocabSize();
        int wanted = 0;
        for (Feed feed : feeds) {
            wanted += feed.logitRows();
        }
        List<float[]> out = new ArrayList<>(Collections.nCopies(feeds.size(), null));
        if (wanted == 0) {
            return out;
        }
        if (logitRows.capacity() < (long) wanted * vocab) {
            // Sized by the rows asked for, not by N: a long prompt wants one row of vocab-wide logits.
            logitRows = DirectFloats.allocate((long) wanted * vocab);
        }
        int at = 0;
        for (int i = 0; i < feeds.size(); i++) {
            Feed feed = feeds.get(i);
            int count = feed.logitRows();
            int from = firstRow[i] + feed.tokens().length - count;   // the last `count` rows of the feed
            headInput.put(at * d, hidden, from * d, count * d);
            at += count;
        }
        model.logits(rows(headInput, 0, wanted, d), wanted, rows(logitRows, 0, wanted, vocab)); // [R, vocab]
        at = 0;
        for (int i = 0; i < feeds.size(); i++) {
            int count = feeds.get(i).logitRows();
            if (count > 0) {
                float[] mine = new float[count * vocab];
                logitRows.get(at * vocab, mine);
                out.set(i, mine);
                at += count;
            }
        }
        return out;
    }

    private int validate(List<Feed> feeds) {
        if (feeds.isEmpty()) {
            throw new IllegalArgumentException("a step needs at least one sequence");
        }
        Set<Sequence> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        int n = 0;
        for (Feed feed : feeds) {
            if (!seen.add(feed.sequence())) {
                throw new IllegalArgumentException("a sequence can be fed only once per step");
            }
            if (feed.sequence().model() != model) {
                throw new IllegalArgumentException("the sequence belongs to another model");
            }
            feed.sequence().requireRoomFor(feed.tokens().length);
            n += feed.tokens().length;
        }
        return n;
    }

    private void ensureRows(int n) {
        if (n <= rowCapacity) {
            return;
        }
        rowCapacity = Math.max(n, 2 * rowCapacity);
        long rows = rowCapacity;
        hidden = DirectFloats.allocate(rows * config.dModel());
        nextHidden = DirectFloats.allocate(rows * config.dModel());
        context = DirectFloats.allocate(rows * config.qDim());
        headInput = DirectFloats.allocate(rows * config.dModel());
        projection = ProjectionBuffers.allocate(config, rowCapacity);
    }

    private void ensurePooled(int b, int c, int qWidth) {
        if (pooledMask.capacity() < (long) b * c) {
            pooledMask = DirectFloats.allocate(Math.max((long) b * c, 2L * pooledMask.capacity()));
        }
        if (pooledQueries.capacity() < (long) b * qWidth) {
            pooledQueries = DirectFloats.allocate(2L * b * qWidth);
            pooledContext = DirectFloats.allocate(2L * b * qWidth);
        }
        if (zeroRow.length < c) {
            zeroRow = new float[c];
        }
    }

    /** Mask room for {@code floats}. */
    private void ensureMask(int floats) {
        if (mask.capacity() < floats) {
            mask = DirectFloats.allocate(Math.max(floats, 2L * mask.capacity()));
        }
    }

    private static FloatBuffer rows(FloatBuffer buffer, int from, int count, int width) {
        return DirectFloats.rows(buffer, from, count, width);
    }
}
