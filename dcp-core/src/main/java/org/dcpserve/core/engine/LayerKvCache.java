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
 * <p>Layout: keys and values live in a region of a layer's {@link KvPool}, {@code [Hkv, C, hd]}, shared with
 * the other sequences of a step loop (or a pool of its own for a sequence fed alone), and are handed to
 * ONNX Runtime without copying; {@code interactionKeys} is {@code [C, rank]} on the heap (only Java reads
 * it). Attention scans all C slots of the region; the mask hides the free ones.
 */
public final class LayerKvCache {

    /** Slots of the pool a cache of its own starts with: none, so a sequence waiting for its prefill allocates nothing. */
    private static final int INITIAL_CAPACITY = 0;
    /** Repack when live entries fill less than this share of the scanned slots (as the reference code does). */
    private static final double MIN_LOAD_FACTOR = 0.9;

    private final int rank;
    private final KvPool pool;
    /** Whether the pool is this cache's alone (then its bytes are this cache's, and it is trimmed to fit). */
    private final boolean ownsPool;
    private int region;
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
     * A cache in a region of {@code pool}.
     *
     * @param rank floats per interaction key (0 for a model without DCP gates)
     */
    public LayerKvCache(KvPool pool, int rank) {
        this(pool, rank, false);
    }

    /** A cache with a pool of its own, for at most {@code maxSlots} entries. */
    public LayerKvCache(int kvHeads, int headDim, int rank, int maxSlots) {
        this(new KvPool(kvHeads, headDim, 1, Math.min(INITIAL_CAPACITY, maxSlots), maxSlots, KvPool.OWN_GRAIN), rank, true);
    }

    private LayerKvCache(KvPool pool, int rank, boolean ownsPool) {
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.rank = rank;
        this.region = pool.acquire(this);
        this.interactionKeys = new float[0];
        this.slotPositions = new int[0];
        fitArrays(pool.capacity());
    }

    /** Gives the region back to the pool; the cache must not be used afterwards. */
    public void release() {
        if (region >= 0) {
            pool.release(region);
            region = -1;
        }
    }

    /**
     * Stores one token; {@code k} and {@code v} hold its row at {@code row * Hkv * hd}, {@code kInt} (null
     * without gates) at {@code row * rank}. Returns the slot.
     */
    public int append(FloatBuffer k, FloatBuffer v, FloatBuffer kInt, int row, int position) {
        int slot = freeSlot();
        pool.put(region, slot, k, v, row * pool.kvWidth());
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
        pool.copy(from.pool, from.region, fromSlot, region, slot);
        if (rank > 0) {
            System.arraycopy(from.interactionKeys, fromSlot * rank, interactionKeys, slot * rank, rank);
        }
        slotPositions[slot] = position;
        highWater = Math.max(highWater, slot + 1);
        live++;
        return slot;
    }

    /**
     * For a cache with a pool of its own: shrinks the pool when it is well above the slots in use plus
     * {@code headroom} (room for the tokens to come), so its memory follows what the gate keeps. A
     * shared pool is left alone (its C follows the longest cache in it).
     */
    void fitOwnPool(int headroom) {
        if (ownsPool) {
            pool.trim(highWater + headroom);
            fitArrays(pool.capacity());
        }
    }

    /** Makes room for {@code capacity} slots at once (no doubling copies on the way). */
    void reserve(int capacity) {
        pool.ensureCapacity(capacity);
        fitArrays(pool.capacity());
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
        // Four partial sums: independent chains the CPU overlaps (a vote scores every live token of a layer).
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int base = slot * rank;
        int i = 0;
        for (; i + 3 < rank; i += 4) {
            s0 += interactionKeys[base + i] * query[offset + i];
            s1 += interactionKeys[base + i + 1] * query[offset + i + 1];
            s2 += interactionKeys[base + i + 2] * query[offset + i + 2];
            s3 += interactionKeys[base + i + 3] * query[offset + i + 3];
        }
        for (; i < rank; i++) {
            s0 += interactionKeys[base + i] * query[offset + i];
        }
        return (s0 + s1) + (s2 + s3);
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

    /** The pool this cache lives in. */
    public KvPool pool() {
        return pool;
    }

    /** This cache's region in its pool. */
    public int region() {
        return region;
    }

    /** Float {@code i} of the key in {@code slot}, in its {@code [Hkv, hd]} order. */
    public float key(int slot, int i) {
        return pool.key(region, slot, i);
    }

    /** Float {@code i} of the value in {@code slot}. */
    public float value(int slot, int i) {
        return pool.value(region, slot, i);
    }

    /** Bytes of keys, values and interaction keys in the slots attention scans: what this cache holds. */
    public long heldBytes() {
        return (long) highWater * bytesPerToken();
    }

    /**
     * Bytes this cache has allocated: its interaction keys, and its pool's buffers when the pool is its own,
     * else its region (padded to the pool's C; the pool's free regions are its step's,
     * {@link BatchStep#spareBytes}).
     */
    public long allocatedBytes() {
        return (long) interactionKeys.length * Float.BYTES + (ownsPool ? pool.allocatedBytes() : pool.regionBytes());
    }

    /** Bytes one token occupies in this cache. */
    public long bytesPerToken() {
        return (2L * pool.kvWidth() + rank) * Float.BYTES;
    }

    private void move(int from, int to) {
        pool.move(region, from, to);
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
        if (highWater == pool.capacity()) {
            pool.ensureCapacity(highWater + 1);
        }
        fitArrays(pool.capacity());
        return highWater;
    }

    /**
     * Sizes the Java-side arrays to the pool's C, which grows in {@link KvPool#ensureCapacity} and shrinks
     * (never below the slots in use) in {@link KvPool#trim} and {@link KvPool#shrinkToFit}.
     */
    private void fitArrays(int capacity) {
        if (slotPositions.length == capacity) {
            return;
        }
        int[] positions = new int[capacity];
        Arrays.fill(positions, -1);
        System.arraycopy(slotPositions, 0, positions, 0, Math.min(capacity, slotPositions.length));
        slotPositions = positions;
        interactionKeys = Arrays.copyOf(interactionKeys, capacity * rank);
    }
}
