package org.dcpserve.server.error;

import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.PropertyBindingException;

/**
 * What was wrong with a JSON body that could not be read, in the client's words: the field as it wrote it
 * ({@code parameters.max_new_tokens}) and the JSON type expected there. Jackson's own messages name our classes
 * ({@code `org.dcpserve...GenerateParameters`}, {@code `java.lang.Integer`}) and repeat parts of the input, so none of
 * them is passed on.
 */
final class UnreadableBody {

    private UnreadableBody() {
    }

    /**
     * @param cause the outermost Jackson exception (it has the field's path), else what Spring found; null when the
     *              body was missing
     */
    static String describe(Throwable cause) {
        return switch (cause) {
            case null -> "the request has no body; send a JSON object";
            case PropertyBindingException unknown -> "unknown field '" + path(unknown) + "'"
                    + known(unknown.getKnownPropertyIds());
            case InvalidFormatException format -> mustBe(format, format.getTargetType()) + got(format.getValue());
            case MismatchedInputException mismatch -> mismatch.getPath().isEmpty()
                    ? "the body must be a single JSON object" + got(mismatch)
                    : mustBe(mismatch, mismatch.getTargetType()) + got(mismatch);
            case InputCoercionException range -> "'" + path(range) + "' is out of range for " + expected(
                    range.getTargetType());
            case StreamConstraintsException limit -> "the JSON body nests too deeply or holds a number or name too long"
                    + " for this server";
            case UnexpectedEndOfInputException end -> "the body is not valid JSON: it ends too early"
                    + at(end.getLocation());
            case StreamReadException twice when String.valueOf(twice.getOriginalMessage()).startsWith("Duplicate")
                    -> "a field is given twice in one object" + at(twice.getLocation());
            case StreamReadException syntax -> "the body is not valid JSON" + at(syntax.getLocation());
            case JacksonException other -> "the body could not be read as JSON" + at(other.getLocation());
            default -> "the body could not be read; send a JSON object";
        };
    }

    private static String mustBe(JacksonException e, Class<?> target) {
        return "'" + path(e) + "' must be " + expected(target);
    }

    /** The JSON type a Java type is read from, as the API documentation says it. */
    static String expected(Class<?> type) {
        if (type == null) {
            return "a value of another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == float.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type.isEnum()) {
            return "one of the documented values";
        }
        return "a JSON object";
    }

    /** The kind of value the client sent where another was expected (never the value itself). */
    private static String got(Object value) {
        String kind = switch (value) {
            case String s -> "a string";
            case Boolean b -> "a boolean";
            case Double d when d % 1 != 0 -> "a number with a fraction";
            case Number n -> "a number";
            case null, default -> null;
        };
        return kind == null ? "" : " (got " + kind + ")";
    }

    private static String got(MismatchedInputException mismatch) {
        if (mismatch.getCurrentToken() == null) {
            return "";
        }
        String kind = switch (mismatch.getCurrentToken()) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a number with a fraction";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> null;
        };
        return kind == null ? "" : " (got " + kind + ")";
    }

    private static String known(Collection<Object> names) {
        if (names == null || names.isEmpty()) {
            return "";
        }
        return "; known fields: " + names.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    /** The field's path as the client wrote it: parameters.stop[0]. */
    static String path(JacksonException e) {
        List<JacksonException.Reference> path = e.getPath();
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference reference : path) {
            if (reference.getPropertyName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                out.append('[').append(reference.getIndex()).append(']');
            }
        }
        return Echo.prefix(out);
    }

    private static String at(TokenStreamLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
