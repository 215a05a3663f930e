package org.dcpserve.core.engine;

import java.nio.FloatBuffer;
import java.util.BitSet;

/**
 * The keys and values of one layer for a group of sequences, head-major in one pair of direct buffers, so
 * that one attention call reads all of them in place: {@code [regions, Hkv, C, hd]}, one region per
 * sequence ({@link LayerKvCache} decides what its C slots hold). Head-major because attention wants each
 * head's keys contiguous: ONNX Runtime then folds K^T into the MatMul instead of copying the cache, and B
 * regions are one tensor {@code [B, Hkv, C, hd]}.
 *
 * <p>C is shared by the regions. It grows (by an eighth, in steps of its grain) when a cache needs
 * a slot past it and shrinks when every cache has fallen far below it; both copy the pool into a new
 * layout, which happens once per many steps, not every step. Regions are handed out lowest first, so the
 * regions in use stay near the front and an attention call covers {@link #regionsInUse()} of them. Not
 * thread-safe: a pool belongs to one step loop.
 */
public final class KvPool {

    /** C is a multiple of this: growth and shrinking are rare, and the padding stays small. */
    public static final int GRAIN = 16;
    /**
     * The grain of a pool of one cache: nothing is aligned to it, and growth by an eighth already keeps
     * re-layouts rare, so it only bounds how often a short cache re-lays out.
     */
    static final int OWN_GRAIN = 4;

    private final int kvHeads;
    private final int headDim;
    private final int maxCapacity;
    private final int grain;
    private int regions;
    private int capacity;
    private FloatBuffer keys;
    private FloatBuffer values;
    private final BitSet taken = new BitSet();
    private LayerKvCache[] members;

    /**
     * @param kvHeads  Hkv
     * @param headDim  hd
     * @param regions  regions to allocate at first (more are added by doubling)
     * @param capacity slots per region at first (rounded up to {@link #GRAIN}; 0: none until the first entry)
     * @param maxCapacity most slots a region ever needs (the context length): growth stops there
     */
    public KvPool(int kvHeads, int headDim, int regions, int capacity, int maxCapacity) {
        this(kvHeads, headDim, regions, capacity, maxCapacity, GRAIN);
    }

    /** @param grain C is a multiple of it */
    KvPool(int kvHeads, int headDim, int regions, int capacity, int maxCapacity, int grain) {
        this.grain = grain;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.maxCapacity = maxCapacity;
        this.regions = Math.max(1, regions);
        this.capacity = roundUp(Math.max(0, capacity));
        this.members = new LayerKvCache[this.regions];
        keys = DirectFloats.allocate((long) this.regions * regionFloats());
        values = DirectFloats.allocate((long) this.regions * regionFloats());
    }

    /** Takes the lowest free region for {@code cache}. */
    int acquire(LayerKvCache cache) {
        int region = taken.nextClearBit(0);
        if (region >= regions) {
            relayout(regions * 2, capacity);
        }
        taken.set(region);
        members[region] = cache;
        return region;
    }

    /** Gives a region back; its contents are left as they are (a later owner overwrites what it uses). */
    void release(int region) {
        if (!taken.get(region)) {
            throw new IllegalStateException("region " + region + " is not taken");
        }
        taken.clear(region);
        members[region] = null;
    }

    /** Slots per region: the C of {@code [B, Hkv, C, hd]}. */
    public int capacity() {
        return capacity;
    }

    /** Floats per key (and per value): Hkv * hd. */
    public int kvWidth() {
        return kvHeads * headDim;
    }

    /** One past the highest region taken: the B an attention call over the pool covers. */
    public int regionsInUse() {
        return taken.length();
    }

    /**
     * Makes C at least {@code slots}, growing by at least an eighth (but not past the most a region needs) so
     * that a growing cache rarely re-lays out.
     */
    void ensureCapacity(int slots) {
        if (slots > capacity) {
            int grown = roundUp(Math.max(slots, capacity + capacity / 8));
            relayout(regions, Math.max(slots, Math.min(grown, maxCapacity)));
        }
    }

    /**
     * Shrinks C when every cache's slots (plus {@code headroom}) fill less than half of it: after long
     * sequences left, attention would otherwise keep scanning their empty slots in every short one.
     */
    void shrinkToFit(int headroom) {
        int needed = headroom;
        for (int region = taken.nextSetBit(0); region >= 0; region = taken.nextSetBit(region + 1)) {
            needed = Math.max(needed, members[region].slotCount() + headroom);
        }
        int fitted = roundUp(needed + needed / 4);
        if (2 * needed < capacity && fitted < capacity) {
            relayout(regions, fitted);
        }
    }

    /**
     * Shrinks C to about {@code slots} plus a sixteenth when it is more than an eighth and a grain above
     * them: a pool of one cache then allocates at most about 1.125x what the cache holds plus a grain, and
     * the band in between keeps a cache that hovers around one size from re-laying out every step.
     */
    void trim(int slots) {
        if (capacity > slots + slots / 8 + grain) {
            relayout(regions, Math.min(capacity, roundUp(slots + slots / 16)));
        }
    }

    /** Writes one entry's key and value, each given as {@code [Hkv, hd]} at {@code offset} of its buffer. */
    void put(int region, int slot, FloatBuffer k, FloatBuffer v, int offset) {
        for (int h = 0; h < kvHeads; h++) {
            int at = index(region, h, slot);
            keys.put(at, k, offset + h * headDim, headDim);
            values.put(at, v, offset + h * headDim, headDim);
        }
    }

    /** Copies the entry in {@code (fromRegion, fromSlot)} of {@code from} into {@code (region, slot)}. */
    void copy(KvPool from, int fromRegion, int fromSlot, int region, int slot) {
        for (int h = 0; h < kvHeads; h++) {
            int to = index(region, h, slot);
            int source = from.index(fromRegion, h, fromSlot);
            keys.put(to, from.keys, source, headDim);
            values.put(to, from.values, source, headDim);
        }
    }

    /** Moves an entry within a region (repacking). */
    void move(int region, int fromSlot, int toSlot) {
        copy(this, region, fromSlot, region, toSlot);
    }

    /** Float {@code i} of the key in {@code (region, slot)}, in its {@code [Hkv, hd]} order. */
    public float key(int region, int slot, int i) {
        return keys.get(index(region, i / headDim, slot) + i % headDim);
    }

    /** Float {@code i} of the value in {@code (region, slot)}. */
    public float value(int region, int slot, int i) {
        return values.get(index(region, i / headDim, slot) + i % headDim);
    }

    /** Keys of regions [0, count): a zero-copy view, {@code [count, Hkv, C, hd]}. */
    FloatBuffer keys(int count) {
        return keys.slice(0, count * regionFloats());
    }

    FloatBuffer values(int count) {
        return values.slice(0, count * regionFloats());
    }

    /** Keys of one region: a zero-copy view, {@code [1, Hkv, C, hd]}. */
    FloatBuffer keysOf(int region) {
        return keys.slice(region * regionFloats(), regionFloats());
    }

    FloatBuffer valuesOf(int region) {
        return values.slice(region * regionFloats(), regionFloats());
    }

    /** Bytes of one region: keys and values of C slots. */
    public long regionBytes() {
        return 2L * regionFloats() * Float.BYTES;
    }

    /** Bytes of the regions no cache holds (room the pool keeps for sequences to come). */
    public long spareBytes() {
        return (regions - taken.cardinality()) * regionBytes();
    }

    /** Bytes the pool's buffers take (what it really allocated, padding included). */
    public long allocatedBytes() {
        return 2L * regions * regionFloats() * Float.BYTES;
    }

    private int index(int region, int head, int slot) {
        return region * regionFloats() + (head * capacity + slot) * headDim;
    }

    private int regionFloats() {
        return kvHeads * capacity * headDim;
    }

    private void relayout(int newRegions, int newCapacity) {
        int oldCapacity = capacity;
        int kept = Math.min(oldCapacity, newCapacity);
        FloatBuffer oldKeys = keys;
        FloatBuffer oldValues = values;
        long floats = (long) newRegions * kvHeads * newCapacity * headDim;
        keys = DirectFloats.allocate(floats);
        values = DirectFloats.allocate(floats);
        for (int region = 0; region < Math.min(regions, newRegions); region++) {
            for (int h = 0; h < kvHeads; h++) {
                int from = (region * kvHeads + h) * oldCapacity * headDim;
                int to = (region * kvHeads + h) * newCapacity * headDim;
                keys.put(to, oldKeys, from, kept * headDim);
                values.put(to, oldValues, from, kept * headDim);
            }
        }
        LayerKvCache[] newMembers = new LayerKvCache[newRegions];
        System.arraycopy(members, 0, newMembers, 0, Math.min(regions, newRegions));
        members = newMembers;
        regions = newRegions;
        capacity = newCapacity;
    }

    private int roundUp(int slots) {
        return (slots + grain - 1) / grain * grain;
    }
}
