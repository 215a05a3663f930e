package org.dcpserve.core.importer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dcpserve.core.model.FloatTensor;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes the {@code .safetensors} format: an 8-byte little-endian header length N, N bytes
 * of JSON mapping each tensor name to {@code {dtype, shape, data_offsets: [begin, end]}} (offsets
 * relative to the end of the header), then the raw little-endian tensor data. A checkpoint too large
 * for one file is sharded: {@code model.safetensors.index.json} maps every tensor name to its file
 * ({@code weight_map}).
 *
 * <p>Every tensor is converted to float32 on reading, because that is the only precision the graph
 * builder and the trainer work in. {@link #open} reads only the headers; each tensor's bytes are then
 * read and decoded when it is asked for, a few MiB at a time, so a reader holds no copy of a checkpoint
 * besides the float32 tensors it decodes (into arrays, or into buffers it provides).
 */
public final class Safetensors {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String METADATA = "__metadata__";
    /** Far above any real header, but small enough that a corrupt length cannot exhaust memory. */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    /** Elements per read, 2^20: 4 MiB of F32. */
    private static final int WINDOW_SHIFT = 20;
    /** Rows per tile of a transposing read: 16 floats are one 64-byte cache line of the output. */
    private static final int TRANSPOSE_ROWS = 16;

    private Safetensors() {
    }

    /** The storage types we can widen to float32, with the names torch (and TGI's /info) give them. */
    private enum Dtype {
        F64(8, "float64"), F32(4, "float32"), F16(2, "float16"), BF16(2, "bfloat16");

        final int bytes;
        final String torchName;

        Dtype(int bytes, String torchName) {
            this.bytes = bytes;
            this.torchName = torchName;
        }

        /** Element {@code index} of {@code in}, widened. */
        float get(ByteBuffer in, int index) {
            return switch (this) {
                case F32 -> in.getFloat(index * 4);
                case F64 -> (float) in.getDouble(index * 8);
                case F16 -> Float.float16ToFloat(in.getShort(index * 2));
                // bfloat16 is the upper half of a float32, so widening is exact.
                case BF16 -> Float.intBitsToFloat((in.getShort(index * 2) & 0xFFFF) << 16);
            };
        }
    }

    /**
     * A tensor's bytes in its file, read by positional reads in windows of {@code 2^shift} elements into a small
     * buffer. Not memory-mapped: the pages of a mapping count in the process's resident memory until the garbage
     * collector unmaps it, so mapping a 2.5 GB checkpoint tensor by tensor kept most of it resident beside the
     * weights decoded from it.
     */
    private record StoredTensor(Path file, FileChannel channel, long position, Dtype dtype, int count, int shift) {

        /** Decodes the whole tensor into {@code out[0, count)}. */
        void decode(FloatBuffer out) throws IOException {
            float[] window = new float[Math.min(count, 1 << shift)];
            ByteBuffer bytes = byteWindow(window.length);
            for (int from = 0; from < count; from += window.length) {
                int n = Math.min(window.length, count - from);
                decodeInto(from, n, window, 0, bytes);
                out.put(from, window, 0, n);
            }
        }

        /**
         * Decodes a row-major [rows, cols] matrix into its transpose [cols, rows]. A few rows at a time are decoded in
         * file order into a small tile and written out column by column, so both the reads and the writes stay in
         * cache lines (a plain element-by-element transpose of a 2048 x 8192 matrix misses the cache on every write).
         */
        void decodeTransposed(int rows, int cols, FloatBuffer out) throws IOException {
            int block = Math.min(TRANSPOSE_ROWS, rows);
            float[] tile = new float[block * cols];
            ByteBuffer bytes = byteWindow(Math.min(tile.length, 1 << shift));
            for (int first = 0; first < rows; first += block) {
                int n = Math.min(block, rows - first);
                for (int done = 0; done < n * cols; done += bytes.capacity() / dtype.bytes) {
                    int length = Math.min(bytes.capacity() / dtype.bytes, n * cols - done);
                    decodeInto((long) first * cols + done, length, tile, done, bytes);
                }
                for (int c = 0; c < cols; c++) {
                    int base = c * rows + first;
                    for (int r = 0; r < n; r++) {
                        out.put(base + r, tile[r * cols + c]);
                    }
                }
            }
        }

        /** Rows of a row-major [n, cols] matrix into {@code out}, one read per row. */
        void decodeRows(long[] rows, int n, int cols, FloatBuffer out) throws IOException {
            float[] row = new float[cols];
            ByteBuffer bytes = byteWindow(cols);
            for (int i = 0; i < rows.length; i++) {
                if (rows[i] < 0 || rows[i] >= n) {
                    throw new IllegalArgumentException("row " + rows[i] + " of a matrix of " + n + " rows");
                }
                decodeInto(rows[i] * cols, cols, row, 0, bytes);
                out.put(i * cols, row);
            }
        }

        private ByteBuffer byteWindow(int elements) {
            return ByteBuffer.allocate(elements * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** Elements [from, from + n) into {@code into[offset, offset + n)}; n fits the window. */
        private void decodeInto(long from, int n, float[] into, int offset, ByteBuffer window) throws IOException {
            window.clear().limit(n * dtype.bytes);
            long at = position + from * dtype.bytes;
            while (window.hasRemaining()) {
                if (channel.read(window, at + window.position()) < 0) {
                    throw new IOException(file + ": unexpected end of file");
                }
            }
            for (int i = 0; i < n; i++) {
                into[offset + i] = dtype.get(window, i);
            }
        }
    }

    /**
     * All tensors of a file, in file order. Files larger than 2 GiB work as long as every single tensor fits
     * in a Java array.
     *
     * @throws IOException if the file cannot be read, is corrupt or holds a dtype other than F64, F32,
     *                     F16 or BF16; the message names the file
     */
    public static Map<String, FloatTensor> read(Path file) throws IOException {
        try (Tensors tensors = open(file)) {
            Map<String, FloatTensor> all = new LinkedHashMap<>();
            for (String name : tensors.names()) {
                all.put(name, tensors.read(name));
            }
            return all;
        }
    }

    /**
     * The tensors of one safetensors file, or of a sharded checkpoint when {@code file} is its
     * {@code .index.json}; only the headers are read here.
     *
     * @throws IOException if a file cannot be read or is corrupt, a tensor has an unsupported dtype, or the
     *                     index names a tensor its shard does not hold; the message names the file
     */
    public static Tensors open(Path file) throws IOException {
        return open(file, WINDOW_SHIFT);
    }

    /** {@link #open(Path)} with reads of {@code 2^windowShift} elements, so tests can cross their boundaries. */
    static Tensors open(Path file, int windowShift) throws IOException {
        Tensors tensors = new Tensors(windowShift);
        try {
            if (file.getFileName().toString().endsWith(".json")) {
                tensors.addShards(file);
            } else {
                tensors.addFile(file);
            }
            return tensors;
        } catch (IOException | RuntimeException e) {
            tensors.close();
            throw e;
        }
    }

    /** Tensors read lazily from one or more open safetensors files; closing it closes the files. */
    public static final class Tensors implements Closeable {

        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private final List<FileChannel> channels = new ArrayList<>();
        private final int windowShift;

        private Tensors(int windowShift) {
            this.windowShift = windowShift;
        }

        /** Tensor names, in file order (shards in the order the index first names them). */
        public Set<String> names() {
            return Collections.unmodifiableSet(entries.keySet());
        }

        public boolean contains(String name) {
            return entries.containsKey(name);
        }

        /** The stored shape of a tensor. */
        public int[] shape(String name) {
            return entry(name).shape.clone();
        }

        /**
         * The type most of the elements are stored as, by torch's name ({@code bfloat16}, {@code float16},
         * {@code float32}, {@code float64}): what a checkpoint is said to be, though a few tensors (norms) may differ.
         */
        public String dtype() {
            Map<Dtype, Long> elements = new EnumMap<>(Dtype.class);
            entries.values().forEach(e -> elements.merge(e.dtype, (long) e.count(), Long::sum));
            return elements.entrySet().stream().max(Map.Entry.comparingByValue()).map(e -> e.getKey().torchName)
                    .orElse(Dtype.F32.torchName);
        }

        /** The file a tensor is stored in. */
        public Path file(String name) {
            return entry(name).file;
        }

        public FloatTensor read(String name) throws IOException {
            Entry entry = entry(name);
            float[] data = new float[entry.count()];
            read(name, FloatBuffer.wrap(data));
            return new FloatTensor(data, entry.shape.clone());
        }

        /** A tensor's values, widened, into {@code out[0, count)} (e.g. a direct buffer, so no Java array holds them). */
        public void read(String name, FloatBuffer out) throws IOException {
            entry(name).stored().decode(out);
        }

        /**
         * A stored matrix [rows, cols] as its transpose [cols, rows], decoded straight into the transposed
         * order (no second copy), e.g. a PyTorch {@code Linear} weight [out, in] as an input-major [in, out].
         */
        public FloatTensor readTransposed(String name) throws IOException {
            Entry entry = entry(name);
            float[] data = new float[entry.count()];
            readTransposed(name, FloatBuffer.wrap(data));
            return new FloatTensor(data, entry.shape[1], entry.shape[0]);
        }

        /** Rows {@code rows} of a stored matrix [n, cols], widened, into {@code out[0, rows.length * cols)}. */
        public void readRows(String name, long[] rows, FloatBuffer out) throws IOException {
            Entry entry = entry(name);
            if (entry.shape.length != 2) {
                throw new IllegalArgumentException(entry.file + ": tensor '" + name + "' has shape "
                        + Arrays.toString(entry.shape) + ", not a matrix");
            }
            entry.stored().decodeRows(rows, entry.shape[0], entry.shape[1], out);
        }

        /** {@link #readTransposed(String)} into {@code out[0, count)}. */
        public void readTransposed(String name, FloatBuffer out) throws IOException {
            Entry entry = entry(name);
            if (entry.shape.length != 2) {
                throw new IllegalArgumentException(entry.file + ": tensor '" + name + "' has shape "
                        + Arrays.toString(entry.shape) + ", not a matrix");
            }
            entry.stored().decodeTransposed(entry.shape[0], entry.shape[1], out);
        }

        @Override
        public void close() throws IOException {
            IOException failure = null;
            for (FileChannel channel : channels) {
                try {
                    channel.close();
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }

        private Entry entry(String name) {
            Entry entry = entries.get(name);
            if (entry == null) {
                throw new IllegalArgumentException("no tensor '" + name + "'");
            }
            return entry;
        }

        private void addShards(Path index) throws IOException {
            JsonNode weightMap = parseJson(index, Files.readString(index)).path("weight_map");
            if (!weightMap.isObject()) {
                throw new IOException(index + " has no weight_map object");
            }
            Map<String, Path> shards = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> mapping : weightMap.properties()) {
                String shard = mapping.getValue().asString("");
                if (shard.isEmpty() || shard.contains("/") || shard.contains("\\")) {
                    throw new IOException(index + ": weight_map entry '" + mapping.getKey() + "' names no file beside it");
                }
                shards.putIfAbsent(shard, index.resolveSibling(shard));
            }
            for (Path shard : shards.values()) {
                if (!Files.isRegularFile(shard)) {
                    throw new IOException(index + " names shard " + shard.getFileName() + ", which does not exist");
                }
                addFile(shard);
            }
            for (Map.Entry<String, JsonNode> mapping : weightMap.properties()) {
                Entry entry = entries.get(mapping.getKey());
                if (entry == null || !entry.file.getFileName().toString().equals(mapping.getValue().asString())) {
                    throw new IOException(index + ": tensor '" + mapping.getKey() + "' is not in "
                            + mapping.getValue().asString() + " as the weight_map says");
                }
            }
        }

        private void addFile(Path file) throws IOException {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channels.add(channel);
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw corrupt(file, "shorter than the 8-byte header length");
            }
            long headerLength = readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > fileSize - 8) {
                throw corrupt(file, "header length " + headerLength + " does not fit a file of " + fileSize + " bytes");
            }
            JsonNode header = parseHeader(file, new String(readFully(channel, 8, (int) headerLength).array(), StandardCharsets.UTF_8));
            long dataStart = 8 + headerLength;
            for (Map.Entry<String, JsonNode> tensor : header.properties()) {
                if (tensor.getKey().equals(METADATA)) {
                    continue;
                }
                Entry entry = Entry.parse(file, channel, dataStart, fileSize - dataStart, tensor.getKey(), tensor.getValue(),
                        windowShift);
                if (entries.putIfAbsent(tensor.getKey(), entry) != null) {
                    throw corrupt(file, "tensor '" + tensor.getKey() + "' is also in " + entries.get(tensor.getKey()).file);
                }
            }
        }
    }

    /** Where one tensor's bytes are and how to decode them. */
    private record Entry(Path file, FileChannel channel, long position, Dtype dtype, int[] shape, long bytes, int windowShift) {

        static Entry parse(Path file, FileChannel channel, long dataStart, long dataSize, String name, JsonNode info,
                           int windowShift) throws IOException {
            String where = "tensor '" + name + "'";
            Dtype dtype = Safetensors.dtype(file, where, info.path("dtype").asString(""));

            JsonNode shapeNode = info.path("shape");
            if (!shapeNode.isArray()) {
                throw corrupt(file, where + " has no shape");
            }
            int[] shape = new int[shapeNode.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode dim = shapeNode.get(i);
                if (!dim.isIntegralNumber() || !dim.canConvertToInt() || dim.asInt() < 0) {
                    throw corrupt(file, where + " has invalid shape " + shapeNode);
                }
                shape[i] = dim.asInt();
                count *= shape[i];
                if (count > Integer.MAX_VALUE - 8) {
                    throw corrupt(file, where + " has more elements than a Java array can hold");
                }
            }

            JsonNode offsets = info.path("data_offsets");
            if (!offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                    || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
                throw corrupt(file, where + " has no valid data_offsets");
            }
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            if (begin < 0 || end < begin || end > dataSize) {
                throw corrupt(file, where + " data_offsets [" + begin + ", " + end + "] outside the " + dataSize + " data bytes");
            }
            if (end - begin != count * dtype.bytes) {
                throw corrupt(file, where + " has " + (end - begin) + " bytes, shape " + shapeNode + " of " + dtype + " needs " + count * dtype.bytes);
            }
            return new Entry(file, channel, dataStart + begin, dtype, shape, end - begin, windowShift);
        }

        int count() {
            return (int) (bytes / dtype.bytes);
        }

        StoredTensor stored() {
            return new StoredTensor(file, channel, position, dtype, count(), windowShift);
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        return buffer;
    }

    private static JsonNode parseHeader(Path file, String text) throws IOException {
        try {
            JsonNode header = JSON.readTree(text);
            if (header == null || !header.isObject()) {
                throw corrupt(file, "header is not a JSON object");
            }
            return header;
        } catch (JacksonException e) {
            throw corrupt(file, "header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static JsonNode parseJson(Path file, String text) throws IOException {
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static Dtype dtype(Path file, String where, String name) throws IOException {
        try {
            return Dtype.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + where + " has dtype '" + name + "'; only F64, F32, F16 and BF16 can be read");
        }
    }

    private static IOException corrupt(Path file, String problem) {
        return new IOException("corrupt safetensors file " + file + ": " + problem);
    }

    /** Writes {@code tensors} as F32, in map order, replacing {@code file}. */
    public static void write(Path file, Map<String, FloatTensor> tensors) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, FloatTensor> entry : tensors.entrySet()) {
            ObjectNode info = header.putObject(entry.getKey());
            info.put("dtype", Dtype.F32.name());
            ArrayNode shape = info.putArray("shape");
            for (int dim : entry.getValue().shape()) {
                shape.add(dim);
            }
            long end = offset + 4L * entry.getValue().data().length;
            info.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] headerBytes = paddedHeader(JSON.writeValueAsString(header));

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer prefix = ByteBuffer.allocate(8 + headerBytes.length).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(headerBytes.length).put(headerBytes).flip();
            writeFully(channel, prefix);
            for (FloatTensor tensor : tensors.values()) {
                ByteBuffer data = ByteBuffer.allocate(4 * tensor.data().length).order(ByteOrder.LITTLE_ENDIAN);
                data.asFloatBuffer().put(tensor.data());
                writeFully(channel, data);
            }
        }
    }

    /** Pads the header with spaces so the data starts 8-byte aligned, as the reference writer does. */
    private static byte[] paddedHeader(String json) {
        byte[] raw = json.getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        return (json + " ".repeat(padded - raw.length)).getBytes(StandardCharsets.UTF_8);
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
