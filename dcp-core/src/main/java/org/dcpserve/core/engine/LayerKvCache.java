package org.dcpserve.core.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The key/value cache of one layer for one sequence, held by Java between the two sub-graphs of the
 * layer. Entries live in slots; a slot freed by eviction is reused by the next new token, so the
 * cache only grows when every slot is taken. Attention is a set operation over the slots (positions are
 * already inside the keys), so slot order does not matter.
 *
 * <p>Layout: {@code keys} and {@code values} are direct native-order buffers of
 * {@code [capacity, kvWidth]} floats, handed to ONNX Runtime without copying as {@code [S, Hkv, hd]}.
 */
public final class LayerKvCache {

    private static final int INITIAL_CAPACITY = 64;

    private final int kvWidth;
    private FloatBuffer keys;
    private FloatBuffer values;
    /** Token position held by each slot, or -1 for a free slot. */
    private int[] slotPositions;
    /** Slots in use or once used: the S handed to attention. */
    private int highWater;
    private int live;

    public LayerKvCache(int kvWidth) {
        this.kvWidth = kvWidth;
        allocate(INITIAL_CAPACITY);
    }

    /** Stores one token's key and value rows ({@code kvWidth} floats each at {@code offset}); returns its slot. */
    public int append(float[] k, float[] v, int offset, int position) {
        int slot = freeSlot();
        keys.put(slot * kvWidth, k, offset, kvWidth);
        values.put(slot * kvWidth, v, offset, kvWidth);
        slotPositions[slot] = position;
        highWater = Math.max(highWater, slot + 1);
        live++;
        return slot;
    }

    /** Removes a token from the cache for good. */
    public void evict(int slot) {
        if (slotPositions[slot] < 0) {
            throw new IllegalStateException("slot " + slot + " is already free");
        }
        slotPositions[slot] = -1;
        live--;
        while (highWater > 0 && slotPositions[highWater - 1] < 0) {
            highWater--;
        }
    }

    /** Position of the token in {@code slot}, or -1 when the slot is free. */
    public int positionAt(int slot) {
        return slotPositions[slot];
    }

    /** Number of slots attention must look at (live ones and holes below the highest live slot). */
    public int slotCount() {
        return highWater;
    }

    public int liveCount() {
        return live;
    }

    /** Keys of slots [0, slotCount()) as a zero-copy view: [S, kvWidth]. */
    public FloatBuffer keysView() {
        return keys.slice(0, highWater * kvWidth);
    }

    public FloatBuffer valuesView() {
        return values.slice(0, highWater * kvWidth);
    }

    /** Bytes of key and value data held by live entries. */
    public long liveBytes() {
        return 2L * live * kvWidth * Float.BYTES;
    }

    /** Bytes allocated for keys and values, free slots included. */
    public long allocatedBytes() {
        return 2L * slotPositions.length * kvWidth * Float.BYTES;
    }

    private int freeSlot() {
        for (int slot = 0; slot < highWater; slot++) {
            if (slotPositions[slot] < 0) {
                return slot;
            }
        }
        if (highWater == slotPositions.length) {
            allocate(slotPositions.length * 2);
        }
        return highWater;
    }

    private void allocate(int capacity) {
        FloatBuffer newKeys = floats(capacity * kvWidth);
        FloatBuffer newValues = floats(capacity * kvWidth);
        int[] newPositions = new int[capacity];
        Arrays.fill(newPositions, -1);
        if (keys != null) {
            newKeys.put(0, keys, 0, highWater * kvWidth);
            newValues.put(0, values, 0, highWater * kvWidth);
            System.arraycopy(slotPositions, 0, newPositions, 0, highWater);
        }
        keys = newKeys;
        values = newValues;
        slotPositions = newPositions;
    }

    private static FloatBuffer floats(int count) {
        return ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
