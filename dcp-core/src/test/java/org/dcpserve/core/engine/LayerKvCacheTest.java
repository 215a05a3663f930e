package org.dcpserve.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerKvCacheTest {

    private static final int WIDTH = 3;
    private static final int RANK = 2;

    @Test
    void freedSlotsAreReusedBeforeTheCacheGrows() {
        LayerKvCache cache = new LayerKvCache(1, WIDTH, RANK, 1024);
        for (int position = 0; position < 10; position++) {
            append(cache, position);
        }
        cache.evict(3);
        cache.evict(5);
        assertThat(cache.slotCount()).isEqualTo(10);
        assertThat(append(cache, 10)).isEqualTo(3);
        assertThat(append(cache, 11)).isEqualTo(5);
        assertThat(append(cache, 12)).isEqualTo(10);
        assertThat(cache.liveCount()).isEqualTo(11);
    }

    @Test
    void repackingKeepsEveryLiveEntryIntactAndRemovesTheHoles() {
        LayerKvCache cache = new LayerKvCache(1, WIDTH, RANK, 1024);
        for (int position = 0; position < 150; position++) {
            append(cache, position);
        }
        for (int slot = 0; slot < 150; slot += 3) {
            cache.evict(slot);
        }
        assertThat(cache.repackIfFragmented()).isTrue();
        assertThat(cache.slotCount()).isEqualTo(cache.liveCount()).isEqualTo(100);
        Map<Integer, Integer> slotOfPosition = new HashMap<>();
        for (int slot = 0; slot < cache.slotCount(); slot++) {
            slotOfPosition.put(cache.positionAt(slot), slot);
        }
        for (int position = 0; position < 150; position++) {
            Integer slot = slotOfPosition.get(position);
            if (position % 3 == 0) {
                assertThat(slot).isNull();
                continue;
            }
            assertThat(cache.key(slot, 1)).isEqualTo(position + 0.1f);
            assertThat(cache.value(slot, 2)).isEqualTo(-position);
            assertThat(cache.interactionDot(slot, new float[] {1f, 0f}, 0)).isEqualTo(position * 2f);
        }
        assertThat(cache.heldBytes()).isEqualTo(100 * cache.bytesPerToken());
        assertThat(cache.repackIfFragmented()).isFalse();
    }

    @Test
    void aCacheOfItsOwnAllocatesAboutWhatItHoldsAsItGrowsAndAfterEvictions() {
        LayerKvCache cache = new LayerKvCache(1, WIDTH, RANK, 1024);
        for (int position = 0; position < 400; position++) {
            append(cache, position);
            assertThat(cache.allocatedBytes()).as("after %d appends", position + 1)
                    .isLessThanOrEqualTo((long) Math.ceil(1.125 * cache.heldBytes()) + KvPool.OWN_GRAIN * cache.bytesPerToken());
        }
        for (int slot = 0; slot < 400; slot++) {
            if (slot % 5 != 0) {
                cache.evict(slot);
            }
        }
        cache.repackIfFragmented();
        long grown = cache.allocatedBytes();
        cache.fitOwnPool(1);
        assertThat(cache.liveCount()).isEqualTo(80);
        assertThat(cache.allocatedBytes()).as("trimmed after the evictions").isLessThan(grown / 4)
                .isLessThanOrEqualTo((long) Math.ceil(1.125 * cache.heldBytes()) + KvPool.OWN_GRAIN * cache.bytesPerToken());
        for (int slot = 0; slot < cache.slotCount(); slot++) {
            int position = cache.positionAt(slot);
            assertThat(position % 5).isZero();
            assertThat(cache.key(slot, 1)).isEqualTo(position + 0.1f);
            assertThat(cache.value(slot, 2)).isEqualTo(-position);
        }
    }

    @Test
    void aCacheInASharedPoolIsNotTrimmed() {
        KvPool pool = new KvPool(1, WIDTH, 2, 64, 1024);
        LayerKvCache cache = new LayerKvCache(pool, RANK);
        append(cache, 0);
        cache.fitOwnPool(1);
        assertThat(pool.capacity()).isEqualTo(64);
    }

    private static int append(LayerKvCache cache, int position) {
        float[] k = {position, position + 0.1f, position + 0.2f};
        float[] v = {0f, 1f, -position};
        float[] kInt = {position * 2f, 1f};
        return cache.append(FloatBuffer.wrap(k), FloatBuffer.wrap(v), FloatBuffer.wrap(kInt), 0, position);
    }
}
