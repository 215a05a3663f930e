package org.dcpserve.server.security;

/**
 * Who is asking, for the features that filter by owner (traces, statistics).
 *
 * @param key   the calling key's name, the owner of the traces it makes; null when keys are off
 * @param admin sees every owner's traces
 */
public record Caller(String key, boolean admin) {

    /** Keys are off: no owner, everything visible. */
    public static final Caller KEYS_OFF = new Caller(null, true);

    /** The owner whose rows this caller may see, or null for every owner. */
    public String ownerFilter() {
        return admin ? null : key;
    }

    /** Whether a trace owned by {@code owner} (null: made while keys were off) is visible to this caller. */
    public boolean sees(String owner) {
        return admin || key.equals(owner);
    }
}
