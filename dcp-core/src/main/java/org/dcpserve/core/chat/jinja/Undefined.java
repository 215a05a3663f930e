package org.dcpserve.core.chat.jinja;

/** The value of a name or attribute that does not exist: renders as nothing, is falsy, is not {@code none}. */
enum Undefined {
    VALUE;

    @Override
    public String toString() {
        return "undefined";
    }
}
