package org.dcpserve.server.openai;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.tokenizer.Tokenizer;
import org.dcpserve.server.error.InvalidRequestException;
import org.dcpserve.server.generate.GenerateParameters;
import org.dcpserve.server.generate.GenerateRequest;
import org.dcpserve.server.generate.GenerationService;
import org.dcpserve.server.generate.SamplingDefaults;
import org.dcpserve.server.generate.UnsupportedParameterException;
import org.springframework.stereotype.Component;

/**
 * Maps OpenAI requests onto the one generation request (GenerateRequest) and hands it to the generation service:
 * the same bean validation and the same model checks as TGI's routes, their violations named as OpenAI's fields
 * (max_new_tokens is max_tokens, ...).
 */
@Component
class OpenAiMapping {

    static final int MAX_CHOICES = 8;

    /** OpenAI's most stop sequences. */
    static final int MAX_STOPS = 4;

    private final GenerationService service;
    private final Validator validator;
    private final ModelSource source;
    private final SamplingDefaults defaults;

    OpenAiMapping(GenerationService service, Validator validator, ModelSource source, SamplingDefaults defaults) {
        this.service = service;
        this.validator = validator;
        this.source = source;
        this.defaults = defaults;
    }

    String modelId() {
        return source.name();
    }

    /** The served model as /v1/models lists it; {@code created}: when the service started, in Unix seconds. */
    OpenAiResponses.Model model(long created) {
        return new OpenAiResponses.Model(source.name(), "model", created, "dcp-serve", source.config().contextLength(),
                source.weightsDtype());
    }

    void checkModel(String model) {
        if (!source.name().equals(model)) {
            throw new ModelNotFoundException(model, source.name());
        }
    }

    /**
     * @param defaultMaxTokens used when the request gives none, lowered to what the context leaves for the prompt
     * @param seed             choice i runs with seed + i (so choices differ); null: a random seed each
     */
    record Options(Integer maxTokens, int defaultMaxTokens, Float temperature, Float topP, Long seed,
                   List<String> stop, Float presencePenalty, Float frequencyPenalty, Integer topLogprobs,
                   Boolean pruning, Boolean trace) {
    }

    /**
     * Validates and prepares the generations of the prompt, one per choice ({@code choices}, the request's n; null:
     * 1): every check runs before any of them is started. A temperature the request leaves out is the model's
     * default (OpenAI's 1 without one); top_p, top_k and repetition_penalty left out are the model's, resolved by
     * the generation service.
     *
     * @param promptIds the prompt's tokens when the caller encoded it (a chat template's), else null
     */
    List<GenerationService.PreparedGeneration> prepare(String prompt, int[] promptIds, Options o, Integer choices) {
        int n = choices == null ? 1 : choices;
        float temperature = o.temperature() == null ? defaults.openAiTemperature() : o.temperature();
        int maxTokens = o.maxTokens() != null ? o.maxTokens()
                : defaultMaxTokens(prompt, promptIds, o.defaultMaxTokens());
        List<GenerationService.PreparedGeneration> prepared = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            GenerateParameters parameters = GenerateParameters.builder()
                    .maxNewTokens(maxTokens)
                    .temperature(temperature)
                    .doSample(temperature > 0)
                    .topP(o.topP())
                    .seed(o.seed() == null ? null : o.seed() + i)
                    .stop(o.stop().isEmpty() ? null : o.stop())
                    .presencePenalty(o.presencePenalty())
                    .frequencyPenalty(o.frequencyPenalty())
                    .topNTokens(o.topLogprobs())
                    .pruning(o.pruning())
                    .trace(o.trace())
                    .build();
            prepared.add(prepare(new GenerateRequest(prompt, parameters), promptIds));
        }
        return prepared;
    }

    /**
     * Validates and prepares one generation; the violations found, ours or the generation service's (an API key's
     * token limit), name OpenAI's fields, as the client wrote them.
     */
    private GenerationService.PreparedGeneration prepare(GenerateRequest request, int[] promptIds) {
        try {
            Set<ConstraintViolation<GenerateRequest>> violations = validator.validate(request);
            if (!violations.isEmpty()) {
                throw InvalidRequestException.of(violations);
            }
            return service.prepare(request, promptIds);
        } catch (InvalidRequestException e) {
            throw e.renamed(OpenAiFieldNames::of);
        }
    }

    /** OpenAI's default, or what the context leaves after the prompt when that is less (at least 1). */
    private int defaultMaxTokens(String prompt, int[] promptIds, int preferred) {
        ModelConfig config = service.generator().config();
        Tokenizer tokenizer = service.generator().tokenizer();
        if (promptIds == null && (prompt == null
                || prompt.length() > (long) config.contextLength() * tokenizer.maxTokenChars())) {
            return preferred;   // far too long: the generation service says so
        }
        int promptTokens = promptIds != null ? promptIds.length
                : tokenizer.encode(prompt).length + (config.tokenizer().bosId() == null ? 0 : 1);
        return Math.max(1, Math.min(preferred, config.contextLength() - promptTokens));
    }

    /** OpenAI's stop: absent, a string, or an array of up to 4 strings (OpenAI's limit), each of limited length. */
    static List<String> stops(Object stop) {
        List<String> stops;
        if (stop == null) {
            stops = List.of();
        } else if (stop instanceof String s) {
            stops = List.of(s);
        } else if (stop instanceof List<?> list && list.size() <= MAX_STOPS
                && list.stream().allMatch(s -> s instanceof String)) {
            stops = list.stream().map(String.class::cast).toList();
        } else {
            throw new InvalidRequestException("stop", "must be a string or an array of at most " + MAX_STOPS
                    + " strings");
        }
        if (stops.stream().anyMatch(s -> s.length() > GenerateParameters.MAX_STOP_LENGTH)) {
            throw new InvalidRequestException("stop", "sequences must be at most "
                    + GenerateParameters.MAX_STOP_LENGTH + " characters each");
        }
        return stops;
    }

    /** OpenAI's prompt: a string or an array holding one string. */
    static String prompt(Object prompt) {
        if (prompt instanceof String s) {
            return s;
        }
        if (prompt instanceof List<?> list && list.size() == 1 && list.getFirst() instanceof String s) {
            return s;
        }
        if (prompt instanceof List<?> list && list.size() > 1 && list.stream().allMatch(s -> s instanceof String)) {
            throw new UnsupportedParameterException("prompt", "an array of " + list.size() + " prompts is not"
                    + " supported: send one prompt per request");
        }
        throw new InvalidRequestException("prompt", "must be a non-empty string (token-id arrays are not supported)");
    }
}
