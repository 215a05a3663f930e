package org.dcpserve.core.engine;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.dcpserve.core.model.ModelConfig;

/**
 * One forward step over many sequences at once. The new tokens of all sequences are stacked into N rows,
 * and every sub-graph with weights (embedding, projections, output projection + MLP, head) runs once over
 * them, so the weights are read once per step however many sequences there are. Attention runs once per
 * sequence, over zero-copy views of that sequence's own compacted cache with the mask its own policy
 * voted; it has no weights. Per layer:
 *
 * <pre>
 * hidden [N, d] -> proj -> q [N, H, hd], k, v [N, Hkv, hd], q_int, k_int [N, r]
 *   per sequence i (rows r_i .. r_i + T_i): append k, v, k_int to its cache; its policy votes; mask [T_i, S_i];
 *                  attention(q rows, cache [S_i, Hkv, hd], mask) -> context rows [T_i, d]; evict its drops
 * hidden, context [N, d] -> out -> hidden [N, d]
 * </pre>
 *
 * The only copies of cache data in Java are the new tokens' rows appended to the caches; the attention
 * graph transposes its K and V views (see {@code AttentionLayoutBenchmark} for why). The buffers are reused
 * across steps and grow with the largest step seen. Not thread-safe: one step loop owns a BatchStep.
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
    private FloatBuffer context;     // [N, d]
    private FloatBuffer headInput;   // [R, d], the rows whose logits are wanted
    private FloatBuffer logitRows = DirectFloats.allocate(0); // [R, vocab], R only the rows asked for
    private ProjectionBuffers projection;
    private FloatBuffer mask = DirectFloats.allocate(0); // [T_i, S_i] of the sequence being attended

    public BatchStep(OnnxTransformer model) {
        this.model = model;
        this.config = model.config();
    }

    /**
     * Feeds every sequence its new tokens in one pass. Returns, per feed in order, the logits it asked for
     * (null for {@link Logits#NONE}). Refuses the whole step, before running anything, when a sequence
     * appears twice, has no tokens or would pass the context length.
     */
    public List<float[]> run(List<Feed> feeds) {
        int n = validate(feeds);
        ensureRows(n);
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
            for (int i = 0; i < feeds.size(); i++) {
                attend(layer, feeds.get(i), firstRow[i]);                                    // context rows [T_i, d]
            }
            model.output(layer, rows(hidden, 0, n, d), rows(context, 0, n, d), n, rows(nextHidden, 0, n, d));
            FloatBuffer swap = hidden;
            hidden = nextHidden;
            nextHidden = swap;
        }
        for (Feed feed : feeds) {
            feed.sequence().advance(feed.tokens().length, feed.logits() != Logits.NONE);
        }
        return logits(feeds, firstRow);
    }

    private void attend(int layer, Feed feed, int row) {
        Sequence sequence = feed.sequence();
        int t = feed.tokens().length;
        LayerKvCache cache = sequence.cache(layer);
        ensureMask(t * (cache.slotCount() + t));
        int s = sequence.appendAndVote(layer, projection, row, t, mask);                      // mask [T, S]
        int qWidth = config.heads() * config.headDim();
        model.attend(rows(projection.q(), row, t, qWidth), cache.keysView(), cache.valuesView(),
                rows(mask, 0, t, s), t, s, rows(context, row, t, config.dModel()));
        sequence.evictDropped(layer, s);
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
        context = DirectFloats.allocate(rows * config.dModel());
        headInput = DirectFloats.allocate(rows * config.dModel());
        projection = ProjectionBuffers.allocate(config, rowCapacity);
    }

    /** Mask room for {@code floats} (the cache can gain at most T slots before the votes). */
    private void ensureMask(int floats) {
        if (mask.capacity() < floats) {
            mask = DirectFloats.allocate(Math.max(floats, 2L * mask.capacity()));
        }
    }

    private static FloatBuffer rows(FloatBuffer buffer, int from, int count, int width) {
        return DirectFloats.rows(buffer, from, count, width);
    }
}
