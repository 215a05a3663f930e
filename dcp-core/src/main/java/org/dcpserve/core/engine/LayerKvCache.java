package org.dcpserve.core.engine;

import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The key/value cache of one layer for one sequence, held by Java between the two sub-graphs of the
 * layer, with the interaction keys DCP's gate scores against. Entries live in slots: a slot freed by
 * eviction is reused by the next new token, and when holes make up more than a tenth of the slots the
 * cache is repacked, so attention never scans much dead space. Freed slots wait in a queue, so an
 * append costs the same however long the sequence is. Attention is a set operation over the
 * slots (positions are already inside the keys), so slot order does not matter.
 *
 * <p>Layout: {@code keys} and {@code values} are direct native-order buffers of
 * {@code [capacity, kvWidth]} floats, handed to ONNX Runtime without copying as {@code [S, Hkv, hd]};
 * {@code interactionKeys} is {@code [capacity, rank]} on the heap (only Java reads it).
 */
public final class LayerKvCache {

    private static final int INITIAL_CAPACITY = 64;
    /** Repack when live entries fill less than this share of the scanned slots (as the reference code does). */
    private static final double MIN_LOAD_FACTOR = 0.9;

    private final int kvWidth;
    private final int rank;
    private FloatBuffer keys;
    private FloatBuffer values;
    private float[] interactionKeys;
    /** Token position held by each slot, or -1 for a free slot. */
    private int[] slotPositions;
    /** Slots in use or once used below the highest live one: the S handed to attention. */
    private int highWater;
    /**
     * Freed slots, oldest first. An entry may have gone stale (its slot fell above the high-water mark or
     * was taken again by growth); {@link #freeSlot} skips those.
     */
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
    private int live;

    /**
     * @param kvWidth floats per key (and per value): kv_heads * head_dim
     * @param rank    floats per interaction key (0 for a model without DCP gates)
     */
    public LayerKvCache(int kvWidth, int rank) {
        this.kvWidth = kvWidth;
        this.rank = rank;
        allocate(INITIAL_CAPACITY);
    }

    /**
     * Stores one token; {@code k} and {@code v} hold its row at {@code row * kvWidth}, {@code kInt} (null
     * without gates) at {@code row * rank}. Returns the slot.
     */
    public int append(FloatBuffer k, FloatBuffer v, FloatBuffer kInt, int row, int position) {
        int slot = freeSlot();
        keys.put(slot * kvWidth, k, row * kvWidth, kvWidth);
        values.put(slot * kvWidth, v, row * kvWidth, kvWidth);
        if (rank > 0) {
            kInt.get(row * rank, interactionKeys, slot * rank, rank);
        }
        slotPositions[slot] = position;
        highWater = Math.max(highWater, slot + 1);
        live++;
        return slot;
    }

    /**
     * Stores a copy of {@code from}'s entry in {@code fromSlot} as the token at {@code position}: how a
     * benchmark builds a long context from a short real one without running its prefill. Returns the slot.
     */
    int appendCopyOf(LayerKvCache from, int fromSlot, int position) {
        int slot = freeSlot();
        keys.put(slot * kvWidth, from.keys, fromSlot * kvWidth, kvWidth);
        values.put(slot * kvWidth, from.values, fromSlot * kvWidth, kvWidth);
        if (rank > 0) {
            System.arraycopy(from.interactionKeys, fromSlot * rank, interactionKeys, slot * rank, rank);
        }
        slotPositions[slot] = position;
        highWater = Math.max(highWater, slot + 1);
        live++;
        return slot;
    }

    /** Makes room for {@code capacity} slots at once (no doubling copies on the way). */
    void reserve(int capacity) {
        if (capacity > slotPositions.length) {
            allocate(capacity);
        }
    }

    /** Removes a token from the cache for good. */
    public void evict(int slot) {
        if (slotPositions[slot] < 0) {
            throw new IllegalStateException("slot " + slot + " is already free");
        }
        slotPositions[slot] = -1;
        live--;
        freeSlots.add(slot);
        while (highWater > 0 && slotPositions[highWater - 1] < 0) {
            highWater--;
        }
    }

    /** Moves live entries from the top into holes when the scanned slots are too sparse; returns whether it did. */
    public boolean repackIfFragmented() {
        if (live >= MIN_LOAD_FACTOR * highWater) {
            return false;
        }
        int hole = 0;
        for (int top = highWater - 1; top > hole; top--) {
            if (slotPositions[top] < 0) {
                continue;
            }
            while (slotPositions[hole] >= 0) {
                hole++;
            }
            if (hole >= top) {
                break;
            }
            move(top, hole);
        }
        highWater = live;
        freeSlots.clear();
        return true;
    }

    /** {@code <interaction key of slot, query[offset .. offset + rank)>}. */
    public float interactionDot(int slot, float[] query, int offset) {
        float sum = 0f;
        int base = slot * rank;
        for (int i = 0; i < rank; i++) {
            sum += interactionKeys[base + i] * query[offset + i];
        }
        return sum;
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

    /** Bytes of keys, values and interaction keys in the slots attention scans: what this cache holds. */
    public long heldBytes() {
        return (long) highWater * bytesPerToken();
    }

    /** Bytes one token occupies in this cache. */
    public long bytesPerToken() {
        return (2L * kvWidth + rank) * Float.BYTES;
    }

    private void move(int from, int to) {
        keys.put(to * kvWidth, keys, from * kvWidth, kvWidth);
        values.put(to * kvWidth, values, from * kvWidth, kvWidth);
        System.arraycopy(interactionKeys, from * rank, interactionKeys, to * rank, rank);
        slotPositions[to] = slotPositions[from];
        slotPositions[from] = -1;
    }

    private int freeSlot() {
        while (!freeSlots.isEmpty()) {
            int slot = freeSlots.poll();
            if (slot < highWater && slotPositions[slot] < 0) {
                return slot;
            }
        }
        if (highWater == slotPositions.length) {
            allocate(slotPositions.length * 2);
        }
        return highWater;
    }

    private void allocate(int capacity) {
        FloatBuffer newKeys = DirectFloats.allocate((long) capacity * kvWidth);
        FloatBuffer newValues = DirectFloats.allocate((long) capacity * kvWidth);
        float[] newInteractionKeys = new float[capacity * rank];
        int[] newPositions = new int[capacity];
        Arrays.fill(newPositions, -1);
        if (keys != null) {
            newKeys.put(0, keys, 0, highWater * kvWidth);
            newValues.put(0, values, 0, highWater * kvWidth);
            System.arraycopy(interactionKeys, 0, newInteractionKeys, 0, highWater * rank);
            System.arraycopy(slotPositions, 0, newPositions, 0, highWater);
        }
        keys = newKeys;
        values = newValues;
        interactionKeys = newInteractionKeys;
        slotPositions = newPositions;
    }
}
