package org.dcpserve.core.engine;

import org.dcpserve.core.model.ModelConfig;

/**
 * Where a {@link BatchStep}'s sequences keep their keys and values. Chosen per model from measurements
 * (docs/decisions/kv-layout.md): the shared pool makes all decode tokens one attention call per layer but
 * pads every sequence to the longest; caches of their own follow each sequence's kept tokens at the cost of
 * one attention call per sequence and layer.
 */
public enum KvLayout {

    /** One {@link KvPool} per layer whose regions all share the longest sequence's length C. */
    POOLED,
    /**
     * Every layer cache of every sequence in a buffer of its own, {@code [1, Hkv, C_i, hd]}, C_i its slots
     * rounded up to 4 plus at most an eighth of growth room, trimmed as the gate evicts.
     */
    PER_SEQUENCE;

    /**
     * Models whose whole cache of one token (all layers, keys and values) is below this many floats are so
     * small that an attention call's fixed cost outweighs scanning padding, and their memory hardly matters.
     */
    static final int POOLED_BELOW_FLOATS_PER_TOKEN = 2048;

    /** The layout measured best for {@code config}. */
    public static KvLayout forModel(ModelConfig config) {
        long floatsPerToken = 2L * config.layers() * config.kvDim();
        return floatsPerToken < POOLED_BELOW_FLOATS_PER_TOKEN ? POOLED : PER_SEQUENCE;
    }
}
