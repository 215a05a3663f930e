package org.dcpserve.core.chat.jinja;

import java.util.List;
import java.util.Map;

/** A callable runtime value: a global such as {@code range}, a macro, or a method of a string or dict. */
@FunctionalInterface
interface JinjaFunction {

    Object call(List<Object> arguments, Map<String, Object> keywords);

    /**
     * The arguments of a method that takes no keyword arguments. (The reference passes them on as one more
     * positional argument, which then fails these methods' type checks; refusing them here fails alike.)
     */
    static List<Object> positional(String method, List<Object> arguments, Map<String, Object> keywords) {
        if (!keywords.isEmpty()) {
            throw new TemplateException(method + "() takes no keyword arguments, got " + keywords.keySet());
        }
        return arguments;
    }
}
