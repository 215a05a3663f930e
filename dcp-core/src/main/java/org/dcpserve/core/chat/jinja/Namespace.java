package org.dcpserve.core.chat.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code namespace(...)} returns: the one object whose attributes a template may assign
 * ({@code {% set ns.found = true %}}), so that a loop can hand a value out of its scope. Compared by identity.
 */
final class Namespace {

    private final Map<String, Object> attributes;

    Namespace(Map<String, Object> attributes) {
        this.attributes = new LinkedHashMap<>(attributes);
    }

    Map<String, Object> attributes() {
        return attributes;
    }
}
