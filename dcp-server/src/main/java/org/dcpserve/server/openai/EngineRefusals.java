package org.dcpserve.server.openai;

import org.dcpserve.core.generate.RequestField;
import org.dcpserve.core.generate.UnservableRequestException;
import org.dcpserve.server.error.ApiExceptionHandler;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The engine's refusals on OpenAI's routes, worded with OpenAI's field names (max_tokens, prompt; OpenAI's
 * requests have no truncate, so that advice is left out) and naming the field to fix as the error's param.
 */
@RestControllerAdvice(assignableTypes = OpenAiController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class EngineRefusals {

    @ExceptionHandler(UnservableRequestException.class)
    ProblemDetail refused(UnservableRequestException ex) {
        ProblemDetail problem = ApiExceptionHandler.cannotBeServed(ex.message(EngineRefusals::openAiName));
        problem.setProperty("param", openAiName(ex.field()));
        return problem;
    }

    private static String openAiName(RequestField field) {
        return field == RequestField.TRUNCATE ? null : OpenAiFieldNames.of(field.path());
    }
}
