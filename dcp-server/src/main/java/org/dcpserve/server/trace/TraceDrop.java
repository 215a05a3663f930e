package org.dcpserve.server.trace;

import jakarta.persistence.Embeddable;
import org.dcpserve.core.pruning.DropEvent;

/**
 * A token leaving a layer's cache.
 *
 * @param layer           the layer
 * @param position        the dropped token's position
 * @param step            forward step: 0 is the prefill, k the k-th decode step
 * @param dropperPosition the token whose vote dropped it
 */
@Embeddable
record TraceDrop(int layer, int position, int step, int dropperPosition) {

    static TraceDrop of(DropEvent drop) {
        return new TraceDrop(drop.layer(), drop.position(), drop.step(), drop.dropperPosition());
    }
}
