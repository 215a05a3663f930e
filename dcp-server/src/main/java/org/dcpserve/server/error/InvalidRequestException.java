package org.dcpserve.server.error;

import jakarta.validation.ConstraintViolation;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A request that breaks rules of ours, each about one field: 422, the message every violation's, the param the
 * first one's field. The messages are worded from the fields' names, so an adapter that validated the
 * generation request it mapped its wire format to can name the fields its client's way ({@link #renamed}).
 */
public class InvalidRequestException extends RuntimeException {

    /**
     * One broken rule.
     *
     * @param field   the field's path as the client's wire format names it: parameters.top_p, messages[0].role
     * @param message the message, worded from the name it is given for the field
     */
    public record Violation(String field, UnaryOperator<String> message) {

        /** The usual wording: 'parameters.top_p' must be in (0, 1] (got 1.5); the value only when there is one. */
        public static Violation of(String field, String reason, Object rejected) {
            boolean showValue = rejected != null && !(rejected instanceof String text && text.isBlank());
            String got = showValue ? " (got " + Echo.prefix(rejected) + ")" : "";
            return new Violation(field, name -> "'" + name + "' " + reason + got);
        }

        /** A field's own name, for a message that names it in prose: parameters.max_new_tokens -> max_new_tokens. */
        public static String leaf(String path) {
            return path.substring(path.lastIndexOf('.') + 1);
        }

        String describe() {
            return message.apply(field);
        }
    }

    private final List<Violation> violations;

    /** One violation in the usual wording, without the value. */
    public InvalidRequestException(String field, String reason) {
        this(List.of(Violation.of(field, reason, null)));
    }

    private InvalidRequestException(List<Violation> violations) {
        super(violations.stream().map(Violation::describe).collect(Collectors.joining("; ")));
        this.violations = violations;
    }

    /** Several violations, sorted by message as every list of them is reported. */
    public static InvalidRequestException of(List<Violation> violations) {
        return new InvalidRequestException(violations.stream().sorted(Comparator.comparing(Violation::describe))
                .toList());
    }

    /** From bean-validation violations: the property paths in the client's snake_case. */
    public static InvalidRequestException of(Set<? extends ConstraintViolation<?>> violations) {
        return of(violations.stream().map(v -> Violation.of(snakeCase(v.getPropertyPath().toString()),
                v.getMessage(), v.getInvalidValue())).toList());
    }

    /** The same violations, in the same order, their fields named by {@code names} (a path to a path). */
    public InvalidRequestException renamed(UnaryOperator<String> names) {
        return new InvalidRequestException(violations.stream()
                .map(v -> new Violation(names.apply(v.field()), v.message())).toList());
    }

    /** The first offending field as the client wrote it, or null. */
    public String parameter() {
        return violations.isEmpty() ? null : violations.getFirst().field();
    }

    /** Field paths as the client wrote them: parameters.maxNewTokens -> parameters.max_new_tokens. */
    public static String snakeCase(String field) {
        return field.replaceAll("([A-Z])", "_$1").toLowerCase();
    }
}
