package org.dcpserve.core.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dcpserve.core.model.FloatTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path dir;

    @Test
    void roundTripKeepsNamesOrderShapesAndValues() throws IOException {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        tensors.put("z.matrix", new FloatTensor(new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f}, 2, 3));
        tensors.put("a.vector", new FloatTensor(new float[] {0.25f, Float.NaN}, 2));
        tensors.put("scalar", new FloatTensor(new float[] {7}));
        tensors.put("empty", FloatTensor.zeros(0, 4));
        Path file = dir.resolve("t.safetensors");

        Safetensors.write(file, tensors);
        Map<String, FloatTensor> read = Safetensors.read(file);

        assertThat(read.keySet()).containsExactly("z.matrix", "a.vector", "scalar", "empty");
        assertThat(read).isEqualTo(tensors);
        assertThat(read.get("scalar").shape()).isEmpty();
    }

    @Test
    void decodesF16BitPatterns() throws IOException {
        // 1.0, -2.0, 65504 (largest normal), 2^-24 (smallest subnormal), +infinity
        byte[] data = littleEndianShorts(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00);
        Path file = SafetensorsFiles.write(dir.resolve("f16.safetensors"),
                "{\"__metadata__\":{\"format\":\"pt\"},\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]}}", data);

        assertThat(Safetensors.read(file).get("h").data())
                .containsExactly(1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY);
    }

    @Test
    void decodesBF16BitPatterns() throws IOException {
        // 1.0, -3.0, 3.140625 (pi truncated to 8 mantissa bits), -infinity
        byte[] data = littleEndianShorts(0x3F80, 0xC040, 0x4049, 0xFF80);
        Path file = SafetensorsFiles.write(dir.resolve("bf16.safetensors"),
                "{\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]}}", data);

        FloatTensor tensor = Safetensors.read(file).get("b");
        assertThat(tensor.shape()).containsExactly(2, 2);
        assertThat(tensor.data()).containsExactly(1f, -3f, 3.140625f, Float.NEGATIVE_INFINITY);
    }

    @Test
    void rejectsHeaderLengthBeyondTheFile() throws IOException {
        Path file = SafetensorsFiles.write(dir.resolve("bad.safetensors"), "{}", new byte[0]);
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] = 100;
        Files.write(file, bytes);

        assertThatThrownBy(() -> Safetensors.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("header length 100");
    }

    @Test
    void rejectsInvalidJson() throws IOException {
        Path file = SafetensorsFiles.write(dir.resolve("bad.safetensors"), "{\"x\": [", new byte[0]);

        assertThatThrownBy(() -> Safetensors.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void rejectsOffsetsOutsideTheData() throws IOException {
        Path file = SafetensorsFiles.write(dir.resolve("bad.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]);

        assertThatThrownBy(() -> Safetensors.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tensor 'x' data_offsets [0, 8] outside the 4 data bytes");
    }

    @Test
    void rejectsSizeThatDoesNotMatchTheShape() throws IOException {
        Path file = SafetensorsFiles.write(dir.resolve("bad.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);

        assertThatThrownBy(() -> Safetensors.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tensor 'x' has 8 bytes");
    }

    @Test
    void rejectsUnsupportedDtype() throws IOException {
        Path file = SafetensorsFiles.write(dir.resolve("i8.safetensors"),
                "{\"x\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]);

        assertThatThrownBy(() -> Safetensors.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("dtype 'I8'");
    }

    private static byte[] littleEndianShorts(int... values) {
        byte[] bytes = new byte[2 * values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[2 * i] = (byte) values[i];
            bytes[2 * i + 1] = (byte) (values[i] >>> 8);
        }
        return bytes;
    }
}
