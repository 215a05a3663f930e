package org.dcpserve.server.tgi;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dcpserve.core.generate.GenerationRequest;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.tokenizer.Tokenizer;
import org.dcpserve.server.error.ProblemResponse;
import org.dcpserve.server.generate.GenerateRequest;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The rest of TGI's routes: /health, /metrics and /tokenize (/info is the model package's). */
@RestController
@Tag(name = "tgi", description = "Hugging Face TGI's service routes")
record TgiController(TextGenerator generator, PrometheusMeterRegistry prometheus, HealthEndpoint healthEndpoint) {

    @GetMapping("/health")
    @Operation(summary = "200 with an empty body while the service is UP (TGI's /health); 503 when /actuator/health"
            + " is not: the step loop or the trace writer failed, the trace database is unreachable, or the service"
            + " is shutting down")
    @ApiResponse(responseCode = "200", description = "Healthy")
    @ProblemResponse(responseCode = "503", description = "Not healthy; /actuator/health names the component")
    ResponseEntity<ProblemDetail> health() {
        Status status = healthEndpoint.health().getStatus();
        if (Status.UP.equals(status)) {
            return ResponseEntity.ok().build();
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, "the service is "
                + status.getCode() + "; GET /actuator/health names the component that is not UP");
        problem.setTitle("Unhealthy");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(problem);
    }

    @GetMapping(path = "/metrics", produces = "text/plain;version=0.0.4;charset=utf-8")
    @Operation(summary = "Prometheus metrics in the text format (the same as /actuator/prometheus)")
    String metrics() {
        return prometheus.scrape();
    }

    @PostMapping(path = "/tokenize", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The prompt's tokens as they would be fed (BOS first, truncate applied), with their"
            + " character span [start, stop) in inputs")
    @ApiResponse(responseCode = "200", description = "The tokens",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    array = @ArraySchema(schema = @Schema(implementation = SimpleToken.class))))
    @ProblemResponse(responseCode = "422", description = "Empty prompt, or one that does not fit the context")
    List<SimpleToken> tokenize(@Valid @RequestBody GenerateRequest request) {
        Integer truncate = request.parametersOrDefault().truncate();
        int[] ids = generator.promptTokens(new GenerationRequest(request.inputs(), 1, SamplingParams.greedy(),
                null, truncate));
        Tokenizer tokenizer = generator.tokenizer();
        Integer bos = generator.config().tokenizer().bosId();
        int first = bos != null && ids.length > 0 && ids[0] == bos ? 1 : 0;
        // Spans come from decoding ever longer prefixes of the text tokens; truncation cut the text's front.
        String decoded = tokenizer.decode(Arrays.copyOfRange(ids, first, ids.length));
        // Negative when decoding adds a dummy-prefix space (llama2.c); spans are clamped to the input.
        int offset = request.inputs().length() - decoded.length();
        int length = request.inputs().length();
        List<SimpleToken> out = new ArrayList<>(ids.length);
        if (first == 1) {
            int at = Math.clamp(offset, 0, length);
            out.add(new SimpleToken(ids[0], tokenizer.tokenText(ids[0]), true, at, at));
        }
        int start = 0;
        for (int i = first; i < ids.length; i++) {
            int stop = tokenizer.decode(Arrays.copyOfRange(ids, first, i + 1)).length();
            stop = Math.max(start, Math.min(stop, decoded.length()));
            out.add(new SimpleToken(ids[i], tokenizer.tokenText(ids[i]), false, Math.clamp(offset + start, 0, length),
                    Math.clamp(offset + stop, 0, length)));
            start = stop;
        }
        return out;
    }

    /**
     * @param start first character of inputs this token covers
     * @param stop  one past its last character
     */
    record SimpleToken(int id, String text, boolean special, int start, int stop) {
    }
}
