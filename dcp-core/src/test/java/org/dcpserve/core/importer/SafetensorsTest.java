package org.dcpserve.core.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dcpserve.core.model.FloatTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "BF16"})
    void readsAMatrixWholeTransposedOrByRowsStraightFromTheFile(String dtype) throws IOException {
        // 37 rows: two full 16-row tiles and a partial one.
        FloatTensor matrix = FloatTensor.zeros(37, 5);
        for (int i = 0; i < matrix.data().length; i++) {
            matrix.data()[i] = i * 0.5f - 40;                 // exact in every dtype
        }
        Path file = SafetensorsFiles.write(dir.resolve("m.safetensors"), Map.of("m", matrix), dtype);

        try (Safetensors.Tensors tensors = Safetensors.open(file)) {
            assertThat(tensors.shape("m")).containsExactly(37, 5);
            assertThat(tensors.readTransposed("m")).isEqualTo(matrix.transpose());
            assertThat(tensors.read("m")).isEqualTo(matrix);
        }
        // Read in windows of 16 elements, none of them a whole number of rows.
        try (Safetensors.Tensors tensors = Safetensors.open(file, 4)) {
            assertThat(tensors.readTransposed("m")).isEqualTo(matrix.transpose());
            assertThat(tensors.read("m")).isEqualTo(matrix);
            // The rows an embedding lookup asks for, in its order, repeats included.
            float[] rows = new float[4 * 5];
            tensors.readRows("m", new long[] {36, 0, 17, 36}, FloatBuffer.wrap(rows));
            float[] expected = new float[4 * 5];
            int[] order = {36, 0, 17, 36};
            for (int i = 0; i < order.length; i++) {
                System.arraycopy(matrix.data(), order[i] * 5, expected, i * 5, 5);
            }
            assertThat(rows).containsExactly(expected);
        }
    }

    @Test
    void readsShardsThroughTheirIndexAndChecksIt() throws IOException {
        FloatTensor a = new FloatTensor(new float[] {1, 2}, 2);
        FloatTensor b = new FloatTensor(new float[] {3}, 1);
        Safetensors.write(dir.resolve("s1.safetensors"), Map.of("a", a));
        Safetensors.write(dir.resolve("s2.safetensors"), Map.of("b", b));
        Path index = Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\": {}, \"weight_map\": {\"b\": \"s2.safetensors\", \"a\": \"s1.safetensors\"}}");
        try (Safetensors.Tensors tensors = Safetensors.open(index)) {
            assertThat(tensors.names()).containsExactly("b", "a");
            assertThat(tensors.read("a")).isEqualTo(a);
            assertThat(tensors.read("b")).isEqualTo(b);
            assertThat(tensors.file("b")).isEqualTo(dir.resolve("s2.safetensors"));
        }

        Files.writeString(index, "{\"weight_map\": {\"a\": \"s2.safetensors\"}}");
        assertThatThrownBy(() -> Safetensors.open(index)).isInstanceOf(IOException.class)
                .hasMessageContaining("tensor 'a' is not in s2.safetensors");
        Files.writeString(index, "{\"weight_map\": {\"a\": \"s3.safetensors\"}}");
        assertThatThrownBy(() -> Safetensors.open(index)).isInstanceOf(IOException.class)
                .hasMessageContaining(index.toString()).hasMessageContaining("s3.safetensors, which does not exist");
        Files.writeString(index, "{\"weights\": {}}");
        assertThatThrownBy(() -> Safetensors.open(index)).isInstanceOf(IOException.class)
                .hasMessageContaining("no weight_map");
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
