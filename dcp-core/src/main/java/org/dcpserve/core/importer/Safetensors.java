package org.dcpserve.core.importer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dcpserve.core.model.FloatTensor;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes the {@code .safetensors} format: an 8-byte little-endian header length N, N bytes
 * of JSON mapping each tensor name to {@code {dtype, shape, data_offsets: [begin, end]}} (offsets
 * relative to the end of the header), then the raw little-endian tensor data.
 *
 * <p>Every tensor is converted to float32 on reading, because that is the only precision the graph
 * builder and the trainer work in.
 */
public final class Safetensors {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String METADATA = "__metadata__";
    /** Far above any real header, but small enough that a corrupt length cannot exhaust memory. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private Safetensors() {
    }

    /** The storage types we can widen to float32. */
    private enum Dtype {
        F64(8), F32(4), F16(2), BF16(2);

        final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        void decode(ByteBuffer in, float[] out) {
            switch (this) {
                case F32 -> in.asFloatBuffer().get(out);
                case F64 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = (float) in.getDouble(i * 8);
                    }
                }
                case F16 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = Float.float16ToFloat(in.getShort(i * 2));
                    }
                }
                // bfloat16 is the upper half of a float32, so widening is exact.
                case BF16 -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = Float.intBitsToFloat((in.getShort(i * 2) & 0xFFFF) << 16);
                    }
                }
            }
        }
    }

    /**
     * All tensors of a file, in file order. Each tensor's bytes are memory-mapped on their own, so
     * files larger than 2 GiB work as long as every single tensor fits in a Java array.
     *
     * @throws IOException if the file cannot be read, is corrupt or holds a dtype other than F64, F32,
     *                     F16 or BF16; the message names the file
     */
    public static Map<String, FloatTensor> read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
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
            long dataSize = fileSize - dataStart;
            Map<String, FloatTensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> entry : header.properties()) {
                if (!entry.getKey().equals(METADATA)) {
                    tensors.put(entry.getKey(), readTensor(file, channel, dataStart, dataSize, entry.getKey(), entry.getValue()));
                }
            }
            return tensors;
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

    private static FloatTensor readTensor(Path file, FileChannel channel, long dataStart, long dataSize,
                                          String name, JsonNode info) throws IOException {
        String where = "tensor '" + name + "'";
        Dtype dtype = dtype(file, where, info.path("dtype").asString(""));

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

        float[] data = new float[(int) count];
        if (count > 0) {
            dtype.decode(channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin).order(ByteOrder.LITTLE_ENDIAN), data);
        }
        return new FloatTensor(data, shape);
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
