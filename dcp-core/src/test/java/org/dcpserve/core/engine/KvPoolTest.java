package org.dcpserve.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class KvPoolTest {

    private static final int KV_HEADS = 2;
    private static final int HEAD_DIM = 3;
    private static final int WIDTH = KV_HEADS * HEAD_DIM;

    @Test
    void regionsAreHandedOutLowestFirstAndReusedAfterRelease() {
        KvPool pool = new KvPool(KV_HEADS, HEAD_DIM, 2, 16, 1024);
        LayerKvCache a = new LayerKvCache(pool, 0);
        LayerKvCache b = new LayerKvCache(pool, 0);
        LayerKvCache c = new LayerKvCache(pool, 0);   // past the 2 regions allocated: the pool doubles
        assertThat(new int[] {a.region(), b.region(), c.region()}).containsExactly(0, 1, 2);
        assertThat(pool.regionsInUse()).isEqualTo(3);
        b.release();
        assertThat(pool.regionsInUse()).isEqualTo(3);
        assertThat(new LayerKvCache(pool, 0).region()).isEqualTo(1);
        c.release();
        assertThat(pool.regionsInUse()).isEqualTo(2);
        assertThatThrownBy(() -> pool.release(2)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void entriesAreStoredHeadMajorAndSurviveEveryRelayout() {
        KvPool pool = new KvPool(KV_HEADS, HEAD_DIM, 1, 16, 1024);
        LayerKvCache shortOne = new LayerKvCache(pool, 0);
        LayerKvCache longOne = new LayerKvCache(pool, 0);
        for (int position = 0; position < 5; position++) {
            append(shortOne, position);
        }
        for (int position = 0; position < 100; position++) {   // grows C for both regions, several times
            append(longOne, 1000 + position);
        }
        assertThat(pool.capacity()).isGreaterThanOrEqualTo(100).isLessThan(100 + 100 / 4 + 2 * KvPool.GRAIN);
        assertThat(pool.capacity() % KvPool.GRAIN).isZero();
        assertEntries(shortOne, 0, 5);
        assertEntries(longOne, 1000, 100);
        // Head-major: head 1 of slot 0 lies C * hd floats after head 0, in the region's block of Hkv * C * hd.
        FloatBuffer region = pool.keysOf(longOne.region());
        assertThat(region.capacity()).isEqualTo(KV_HEADS * pool.capacity() * HEAD_DIM);
        assertThat(region.get(pool.capacity() * HEAD_DIM)).isEqualTo(longOne.key(0, HEAD_DIM));

        longOne.release();
        int before = pool.capacity();
        pool.shrinkToFit(1);
        assertThat(pool.capacity()).isLessThan(before).isGreaterThanOrEqualTo(6);
        assertEntries(shortOne, 0, 5);
        int fitted = pool.capacity();
        pool.shrinkToFit(1);
        assertThat(pool.capacity()).isEqualTo(fitted);
    }

    @Test
    void growthStopsAtTheMostARegionNeeds() {
        KvPool pool = new KvPool(KV_HEADS, HEAD_DIM, 1, 16, 100);
        LayerKvCache cache = new LayerKvCache(pool, 0);
        for (int position = 0; position < 100; position++) {
            append(cache, position);
        }
        assertThat(pool.capacity()).isEqualTo(100);
        assertEntries(cache, 0, 100);
    }

    private static void assertEntries(LayerKvCache cache, int firstPosition, int count) {
        assertThat(cache.slotCount()).isEqualTo(count);
        for (int slot = 0; slot < count; slot++) {
            int position = firstPosition + slot;
            assertThat(cache.positionAt(slot)).isEqualTo(position);
            for (int i = 0; i < WIDTH; i++) {
                assertThat(cache.key(slot, i)).isEqualTo(position + i / 10f);
                assertThat(cache.value(slot, i)).isEqualTo(-position - i / 10f);
            }
        }
    }

    private static void append(LayerKvCache cache, int position) {
        float[] k = new float[WIDTH];
        float[] v = new float[WIDTH];
        for (int i = 0; i < WIDTH; i++) {
            k[i] = position + i / 10f;
            v[i] = -position - i / 10f;
        }
        cache.append(FloatBuffer.wrap(k), FloatBuffer.wrap(v), null, 0, position);
    }
}
