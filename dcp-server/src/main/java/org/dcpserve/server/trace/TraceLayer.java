package org.dcpserve.server.trace;

import jakarta.persistence.Embeddable;
import org.dcpserve.core.pruning.PruningReport;

/**
 * A layer's cache at the end of the request.
 *
 * @param layer   layer index
 * @param kept    tokens it still held
 * @param dropped tokens it dropped
 * @param kvBytes bytes it held
 */
@Embeddable
record TraceLayer(int layer, int kept, int dropped, long kvBytes) {

    static TraceLayer of(PruningReport.LayerStats stats) {
        return new TraceLayer(stats.layer(), stats.kept(), stats.dropped(), stats.kvBytes());
    }
}
