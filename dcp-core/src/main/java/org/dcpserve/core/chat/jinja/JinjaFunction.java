package org.dcpserve.core.chat.jinja;

import java.util.List;
import java.util.Map;

/** A callable runtime value: a global such as {@code range}, a macro, or a method of a string or dict. */
@FunctionalInterface
interface JinjaFunction {

    Object call(List<Object> arguments, Map<String, Object> keywords);
}
