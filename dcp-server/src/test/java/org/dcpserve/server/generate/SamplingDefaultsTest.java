package org.dcpserve.server.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.dcpserve.core.chat.GenerationConfig;
import org.dcpserve.server.model.ModelLoadException;
import org.junit.jupiter.api.Test;

/** Which sampling settings a request gets from generation_config.json, and which it keeps from the API. */
class SamplingDefaultsTest {

    private static final SamplingDefaults NONE = new SamplingDefaults(GenerationConfig.NONE);
    /** Llama 3 Instruct's file. */
    private static final SamplingDefaults LLAMA3 = new SamplingDefaults(config(true, 0.6, 0.9, null, null));

    @Test
    void withoutTheFileTgiIsGreedyAndOpenAiSamplesAtOne() {
        assertThat(NONE.sample(null, null)).isFalse();
        assertThat(NONE.openAiTemperature()).isEqualTo(1f);
        assertThat(NONE.temperature(null)).isEqualTo(1f);
        assertThat(NONE.topK(null)).isZero();
        assertThat(NONE.topP(null)).isEqualTo(1f);
        assertThat(NONE.repetitionPenalty(null)).isEqualTo(1f);
    }

    @Test
    void theModelsSettingsFillWhatARequestLeavesOut() {
        assertThat(LLAMA3.sample(null, null)).isTrue();
        assertThat(LLAMA3.temperature(null)).isEqualTo(0.6f);
        assertThat(LLAMA3.openAiTemperature()).isEqualTo(0.6f);
        assertThat(LLAMA3.topP(null)).isEqualTo(0.9f);
        assertThat(LLAMA3.topK(null)).isZero(); // the file gives none: no limit (not transformers' implicit 50)
        SamplingDefaults penalised = new SamplingDefaults(config(null, null, null, 40, 1.1));
        assertThat(penalised.topK(null)).isEqualTo(40);
        assertThat(penalised.repetitionPenalty(null)).isEqualTo(1.1f);
        assertThat(penalised.sample(null, null)).as("do_sample left out is false, as in transformers").isFalse();
    }

    @Test
    void aRequestsOwnSettingsWin() {
        assertThat(LLAMA3.sample(false, null)).isFalse();
        assertThat(LLAMA3.sample(null, 0f)).isFalse();
        assertThat(LLAMA3.temperature(1.3f)).isEqualTo(1.3f);
        assertThat(LLAMA3.topP(0.5f)).isEqualTo(0.5f);
        assertThat(LLAMA3.topK(3)).isEqualTo(3);
        assertThat(LLAMA3.repetitionPenalty(1.2f)).isEqualTo(1.2f);
    }

    @Test
    void doSampleFalseMakesOpenAisDefaultGreedy() {
        SamplingDefaults greedy = new SamplingDefaults(config(false, 0.7, null, null, null));
        assertThat(greedy.openAiTemperature()).isZero();
        assertThat(greedy.sample(null, null)).isFalse();
        assertThat(greedy.sample(null, 0.8f)).as("a request's temperature still samples").isTrue();
    }

    @Test
    void aSettingOutOfRangeStopsTheStartNamingIt() {
        assertThatThrownBy(() -> new SamplingDefaults(config(true, 0.6, 1.5, null, null)))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("generation_config.json")
                .hasMessageContaining("top_p must be in (0, 1]");
    }

    private static GenerationConfig config(Boolean doSample, Double temperature, Double topP, Integer topK,
                                           Double repetitionPenalty) {
        return new GenerationConfig(List.of(), null, temperature, topP, topK, repetitionPenalty, doSample);
    }
}
