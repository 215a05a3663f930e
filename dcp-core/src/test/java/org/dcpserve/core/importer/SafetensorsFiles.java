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

    /** Writes {@code tensors} as F16; values that float16 cannot represent exactly get rounded. */
    static Path writeF16(Path file, Map<String, FloatTensor> tensors) throws IOException {
        ObjectNode header = JsonMapper.builder().build().createObjectNode();
        int count = tensors.values().stream().mapToInt(t -> t.data().length).sum();
        ByteBuffer data = ByteBuffer.allocate(2 * count).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, FloatTensor> entry : tensors.entrySet()) {
            ObjectNode info = header.putObject(entry.getKey()).put("dtype", "F16");
            ArrayNode shape = info.putArray("shape");
            for (int dim : entry.getValue().shape()) {
                shape.add(dim);
            }
            info.putArray("data_offsets").add(data.position()).add(data.position() + 2 * entry.getValue().data().length);
            for (float value : entry.getValue().data()) {
                data.putShort(Float.floatToFloat16(value));
            }
        }
        return write(file, header.toString(), data.array());
    }
}
