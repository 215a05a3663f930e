package org.dcpserve.core.chat.jinja;

import java.util.HashMap;
import java.util.Map;

/**
 * The variables visible at one point of a render. A {@code for} loop and a macro call open a child scope, so a
 * {@code set} inside them does not leak out (hence {@code namespace()} for values that must).
 */
final class Scope {

    private final Scope parent;
    private final Map<String, Object> variables = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    Object lookup(String name) {
        for (Scope scope = this; scope != null; scope = scope.parent) {
            if (scope.variables.containsKey(name)) {
                return scope.variables.get(name);
            }
        }
        return Undefined.VALUE;
    }

    void set(String name, Object value) {
        variables.put(name, value);
    }
}
