package org.dcpserve.server.error;

import jakarta.validation.ConstraintViolation;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A request that breaks a constraint, found by validating programmatically (an adapter validating the generation
 * request it mapped its wire format to): 422 with the same message as a constraint found by @Valid.
 */
public class InvalidRequestException extends RuntimeException {

    private final String parameter;

    public InvalidRequestException(String message, String parameter) {
        super(message);
        this.parameter = parameter;
    }

    /** From bean-validation violations, described and sorted as ApiExceptionHandler describes @Valid's. */
    public static InvalidRequestException of(Set<? extends ConstraintViolation<?>> violations) {
        String message = violations.stream()
                .map(v -> ApiExceptionHandler.describe(v.getPropertyPath().toString(), v.getMessage(), v.getInvalidValue()))
                .sorted()
                .collect(Collectors.joining("; "));
        String first = violations.stream().map(v -> ApiExceptionHandler.snakeCase(v.getPropertyPath().toString()))
                .min(Comparator.naturalOrder()).orElse(null);
        return new InvalidRequestException(message, first);
    }

    /** The first offending field as the client wrote it (snake_case path), or null. */
    public String parameter() {
        return parameter;
    }
}
