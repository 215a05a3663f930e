package org.dcpserve.server.openai;

import org.dcpserve.core.engine.ContextLengthExceededException;
import org.dcpserve.core.generate.InvalidPromptException;
import org.dcpserve.core.schedule.KvBudgetExceededException;
import org.dcpserve.server.error.ApiExceptionHandler;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The engine's refusals on OpenAI's routes: dcp-core words them as text in TGI's names (max_new_tokens,
 * 'inputs', and the advice to set parameters.truncate, which OpenAI's requests do not have), so here, and only
 * here, those words are swapped for OpenAI's. Everything else this server refuses is built from field and reason
 * and named for the client where it is raised; the engine would need to report its refusals that way too.
 */
@RestControllerAdvice(assignableTypes = OpenAiController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class EngineRefusals {

    @ExceptionHandler({InvalidPromptException.class, ContextLengthExceededException.class,
            KvBudgetExceededException.class})
    ProblemDetail refused(IllegalArgumentException ex) {
        return ApiExceptionHandler.cannotBeServed(ex.getMessage()
                .replace(", or set parameters.truncate", "")
                .replace("max_new_tokens", "max_tokens")
                .replace("'inputs'", "'prompt'"));
    }
}
