package org.dcpserve.server.security;

/** A new key's name is already a configured or stored key's (names own traces, so they are unique). */
class KeyNameTakenException extends RuntimeException {

    KeyNameTakenException(String name) {
        super("a key named '" + name + "' already exists; choose another name or delete it first");
    }
}
