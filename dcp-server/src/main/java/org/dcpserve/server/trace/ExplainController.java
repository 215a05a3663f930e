package org.dcpserve.server.trace;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.dcpserve.server.error.ProblemResponse;
import org.dcpserve.server.security.Callers;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** What pruning did to one request, from its stored drop trace. */
@RestController
@Tag(name = "explain", description = "Drop traces: which tokens each layer dropped, when, and because of which token")
record ExplainController(TraceReader reader, Callers callers) {

    @GetMapping(path = "/explain/{request_id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Explain a request's pruning: its tokens and, per layer, every dropped token and its dropper",
            description = "Every layer is listed, also when it dropped nothing; kept_fraction = kept / tokens_fed."
                    + " A drop's step is the forward step it happened in: 0 is the prefill, k the k-th decode step.")
    @ApiResponse(responseCode = "200", description = "The stored trace",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = Explanation.class),
                    examples = @ExampleObject(name = "dcp", value = ExplainExample.JSON)))
    @ProblemResponse(responseCode = "400", description = "request_id is not a UUID")
    @ProblemResponse(responseCode = "404", description = "No trace was stored for this request id (or, with API keys"
            + " on, it belongs to another key)")
    Explanation explain(@Parameter(description = "The request_id a /generate or /generate_stream response carried",
            example = "7d0c8f8e-2b1f-4b4e-9a43-0f2d8d7c5e11") @PathVariable("request_id") UUID requestId) {
        return reader.explain(requestId, callers.current());
    }
}
