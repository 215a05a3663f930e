package org.dcpserve.core.engine;

import java.nio.FloatBuffer;
import org.dcpserve.core.model.ModelConfig;

/**
 * Where a projection sub-graph writes the N stacked new tokens of a step (direct buffers, at least N rows).
 *
 * @param q    [N, H, hd]
 * @param k    [N, Hkv, hd]
 * @param v    [N, Hkv, hd]
 * @param qInt [N, r] interaction queries, null for a model without DCP gates
 * @param kInt [N, r] interaction keys, null for a model without DCP gates
 */
public record ProjectionBuffers(FloatBuffer q, FloatBuffer k, FloatBuffer v, FloatBuffer qInt, FloatBuffer kInt) {

    public static ProjectionBuffers allocate(ModelConfig config, int rows) {
        int rank = config.hasDcpGates() ? config.dcp().rank() : 0;
        return new ProjectionBuffers(DirectFloats.allocate((long) rows * config.qDim()),
                DirectFloats.allocate((long) rows * config.kvDim()), DirectFloats.allocate((long) rows * config.kvDim()),
                rank == 0 ? null : DirectFloats.allocate((long) rows * rank),
                rank == 0 ? null : DirectFloats.allocate((long) rows * rank));
    }
}
