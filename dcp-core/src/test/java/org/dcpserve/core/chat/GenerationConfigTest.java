package org.dcpserve.core.chat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenerationConfigTest {

    @Test
    void readsTheDefaultsAndEveryStopToken(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("generation_config.json"), """
                {"bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "do_sample": true,
                 "temperature": 0.6, "top_p": 0.9, "top_k": 20, "repetition_penalty": 1.05,
                 "transformers_version": "4.45.0"}""");
        GenerationConfig config = GenerationConfig.load(dir);
        assertThat(config).isEqualTo(new GenerationConfig(List.of(128001, 128008, 128009), 128000, 0.6, 0.9, 20, 1.05, true));
        assertThat(config.stopsAt(128008)).isTrue();
        assertThat(config.stopsAt(128000)).isFalse();
    }

    @Test
    void oneEosTokenAndIntegralNumbers(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 2, \"temperature\": 1}");
        assertThat(GenerationConfig.load(dir)).isEqualTo(new GenerationConfig(List.of(2), null, 1.0, null, null, null, null));
    }

    @Test
    void noFileMeansNoDefaults(@TempDir Path dir) {
        assertThat(GenerationConfig.load(dir)).isEqualTo(GenerationConfig.NONE);
        assertThat(GenerationConfig.NONE.stopsAt(0)).isFalse();
    }

    @Test
    void aSettingOfTheWrongTypeIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [\"</s>\"]}");
        assertThatThrownBy(() -> GenerationConfig.load(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eos_token_id is an integer or a list of integers");
        Files.writeString(dir.resolve("generation_config.json"), "{\"do_sample\": \"yes\"}");
        assertThatThrownBy(() -> GenerationConfig.load(dir)).hasMessageContaining("do_sample is true or false");
    }
}
