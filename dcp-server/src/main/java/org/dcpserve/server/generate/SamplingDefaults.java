package org.dcpserve.server.generate;

import org.dcpserve.core.chat.GenerationConfig;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.server.model.ModelLoadException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The sampling settings a request leaves out: the model's own from {@code generation_config.json} ({@code do_sample},
 * {@code temperature}, {@code top_p}, {@code top_k}, {@code repetition_penalty}), else the API's. A model without
 * the file samples as before: TGI's routes greedily, OpenAI's at temperature 1. Other fields of the file are not
 * read here (its {@code eos_token_id}s end generation through the tokenizer spec).
 */
@Component
public class SamplingDefaults {

    private final GenerationConfig model;

    @Autowired
    public SamplingDefaults(ModelSource source) {
        this(source.generationDefaults());
    }

    /** @throws ModelLoadException if the file's values are out of range (start-up stops, naming them) */
    SamplingDefaults(GenerationConfig model) {
        this.model = model;
        try {
            new SamplingParams(temperature(null), topK(null), topP(null), 0L, repetitionPenalty(null), 0f, 0f, 1f);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException("generation_config.json has a sampling default out of range: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Whether to sample (TGI's rule): the request's {@code do_sample}; else whether its temperature is above 0; else
     * the model's {@code do_sample}, which Hugging Face takes as false when the file leaves it out.
     */
    boolean sample(Boolean doSample, Float temperature) {
        if (doSample != null) {
            return doSample;
        }
        return temperature != null ? temperature > 0 : Boolean.TRUE.equals(model.doSample());
    }

    /** The temperature of a request that samples: its own when above 0, else the model's, else 1. */
    float temperature(Float requested) {
        if (requested != null && requested > 0) {
            return requested;
        }
        return model.temperature() != null ? model.temperature().floatValue() : 1f;
    }

    /**
     * The temperature of an OpenAI request that gives none: 0 (greedy) when the model's {@code do_sample} is false,
     * else the model's temperature, else OpenAI's 1.
     */
    public float openAiTemperature() {
        return Boolean.FALSE.equals(model.doSample()) ? 0f : temperature(null);
    }

    int topK(Integer requested) {
        return requested != null ? requested : model.topK() != null ? model.topK() : 0;
    }

    float topP(Float requested) {
        return requested != null ? requested : model.topP() != null ? model.topP().floatValue() : 1f;
    }

    float repetitionPenalty(Float requested) {
        return requested != null ? requested
                : model.repetitionPenalty() != null ? model.repetitionPenalty().floatValue() : 1f;
    }
}
