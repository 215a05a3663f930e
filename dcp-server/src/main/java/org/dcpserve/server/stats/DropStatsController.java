package org.dcpserve.server.stats;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.server.error.ProblemResponse;
import org.dcpserve.server.security.Callers;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What the model drops in general: the drop statistics across every stored trace. */
@RestController
@Tag(name = "explain", description = "Drop traces: which tokens each layer dropped, when, and because of which token")
record DropStatsController(DropStatsReader reader, ModelSource source, Callers callers) {

    @GetMapping(path = "/explain/stats", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Drops across requests: per layer and token, how often it was seen and dropped, and how long"
            + " it lived",
            description = "Aggregated as traces are stored (no scan of the traces). sparsity = dropped / seen: the"
                    + " fraction of the tokens fed through a layer that it dropped. A drop's lifetime is how many"
                    + " tokens later it came. Buckets are powers of two. With API keys on, a user key's statistics"
                    + " count only its own traces, an admin key's every trace. The web page /stats.html draws it.")
    @ApiResponse(responseCode = "200", description = "The statistics",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = DropStats.class)))
    @ProblemResponse(responseCode = "422", description = "A filter out of range")
    DropStats stats(
            @Parameter(description = "The model (default: the served one)") @RequestParam(name = "model", required = false)
            String model,
            @Parameter(description = "Only this layer") @RequestParam(name = "layer", required = false)
            @Min(value = 0, message = "must be >= 0") Integer layer,
            @Parameter(description = "Leave out tokens seen fewer times than this")
            @RequestParam(name = "min_count", defaultValue = "5") @Min(value = 1, message = "must be at least 1")
            long minCount,
            @Parameter(description = "Tokens in each list")
            @RequestParam(name = "limit", defaultValue = "20") @Min(value = 1, message = "must be at least 1")
            @Max(value = 200, message = "must be at most 200") int limit) {
        return reader.read(model == null || model.isBlank() ? source.name() : model, callers.current().ownerFilter(),
                layer, minCount, limit);
    }
}
