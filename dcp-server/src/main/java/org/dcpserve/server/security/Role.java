package org.dcpserve.server.security;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a key may see: a user key its own traces and statistics, an admin key everyone's (and manage keys). */
public enum Role {
    USER,
    ADMIN;

    /** As the api_key table and the JSON write it: user, admin. */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    static Role of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
