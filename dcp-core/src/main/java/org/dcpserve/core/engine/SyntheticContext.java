package org.dcpserve.core.engine;

import java.util.SplittableRandom;

/**
 * Benchmarks only: puts a sequence at a long position without feeding it its whole prompt. Each layer's
 * cache is filled with copies of entries (keys, values, interaction keys) of a short real sequence, picked at
 * random, so the tokens attention and the gate see have the real statistics, and the sequence's length is
 * set so the next token it is fed sits at {@code length}. A prefill of 32 sequences x 2048 tokens of a
 * GPT-2-small-sized model would take minutes on a laptop CPU; filling takes a fraction of a second, and the
 * decode steps that follow are the engine's own, unchanged.
 */
public final class SyntheticContext {

    private SyntheticContext() {
    }

    /**
     * @param sequence a sequence nothing was fed to yet
     * @param source   a real sequence whose caches the entries are copied from (same model, same policy kind)
     * @param length   the position the next fed token takes
     * @param kept     entries each layer's cache holds (at most {@code length}): {@code length} for a dense
     *                 context, fewer for a pruned one; a window keeps the last positions, others spread them
     * @param lastPositions true: the kept entries are positions {@code length - kept ..}; false: spread evenly
     * @param reserve  extra slots to make room for up front (the steps that will follow)
     */
    public static void fill(Sequence sequence, Sequence source, int length, int kept, boolean lastPositions,
                            int reserve, SplittableRandom random) {
        if (sequence.length() != 0) {
            throw new IllegalArgumentException("the sequence was already fed");
        }
        if (kept < 1 || kept > length) {
            throw new IllegalArgumentException("kept must be in [1, " + length + "], got " + kept);
        }
        sequence.requireRoomFor(length);
        for (int layer = 0; layer < sequence.layerCount(); layer++) {
            LayerKvCache from = source.cache(layer);
            LayerKvCache to = sequence.cache(layer);
            to.reserve(kept + reserve);
            int slots = from.slotCount();
            for (int i = 0; i < kept; i++) {
                int position = lastPositions ? length - kept + i : (int) ((long) i * length / kept);
                int slot;
                do {
                    slot = random.nextInt(slots);
                } while (from.positionAt(slot) < 0);
                to.appendCopyOf(from, slot, position);
            }
        }
        sequence.advance(length, true);
    }
}
