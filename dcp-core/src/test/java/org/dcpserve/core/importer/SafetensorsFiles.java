package org.dcpserve.core.importer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.dcpserve.core.model.FloatTensor;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes safetensors files byte by byte, independently of {@link Safetensors#write}, so tests can
 * produce other dtypes and deliberately broken files.
 */
final class SafetensorsFiles {

    private SafetensorsFiles() {
    }

    /** An 8-byte little-endian header length, the header text and the data, verbatim. */
    static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + headerBytes.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(headerBytes.length).put(headerBytes).put(data);
        return Files.write(file, out.array());
    }

    /**
     * Writes {@code tensors} as {@code dtype} (F32, F16 or BF16, rounded to nearest even); values the dtype cannot
     * represent exactly get rounded.
     */
    static Path write(Path file, Map<String, FloatTensor> tensors, String dtype) throws IOException {
        int bytes = dtype.equals("F32") ? 4 : 2;
        ObjectNode header = JsonMapper.builder().build().createObjectNode();
        long count = tensors.values().stream().mapToLong(t -> t.data().length).sum();
        ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(bytes * count)).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, FloatTensor> entry : tensors.entrySet()) {
            ObjectNode info = header.putObject(entry.getKey()).put("dtype", dtype);
            ArrayNode shape = info.putArray("shape");
            for (int dim : entry.getValue().shape()) {
                shape.add(dim);
            }
            info.putArray("data_offsets").add(data.position()).add(data.position() + bytes * entry.getValue().data().length);
            for (float value : entry.getValue().data()) {
                switch (dtype) {
                    case "F32" -> data.putFloat(value);
                    case "F16" -> data.putShort(Float.floatToFloat16(value));
                    case "BF16" -> data.putShort((short) (bfloat16Bits(value) >>> 16));
                    default -> throw new IllegalArgumentException("cannot write dtype " + dtype);
                }
            }
        }
        return write(file, header.toString(), data.array());
    }

    /** {@code value} rounded to the nearest bfloat16 (ties to even), as a float. */
    static float toBfloat16(float value) {
        return Float.intBitsToFloat(bfloat16Bits(value));
    }

    private static int bfloat16Bits(float value) {
        int bits = Float.floatToRawIntBits(value);
        return (bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000;
    }
}
