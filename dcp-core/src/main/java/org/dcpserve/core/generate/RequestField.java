package org.dcpserve.core.generate;

/**
 * The request fields the engine's refusals point at. A {@link GenerationRequest} mirrors TGI's request, so a
 * field's {@link #path() path} is where it stands in TGI's JSON, and {@link #tgiName()} is how TGI's messages
 * name it; another wire format names the same field its own way (see {@link UnservableRequestException#message}).
 */
public enum RequestField {
    PROMPT("inputs", "inputs"),
    MAX_NEW_TOKENS("parameters.max_new_tokens", "max_new_tokens"),
    TRUNCATE("parameters.truncate", "parameters.truncate"),
    PRUNING("parameters.pruning", "pruning");

    private final String path;
    private final String tgiName;

    RequestField(String path, String tgiName) {
        this.path = path;
        this.tgiName = tgiName;
    }

    /** The field's path in TGI's request JSON, e.g. {@code parameters.max_new_tokens}. */
    public String path() {
        return path;
    }

    /** The field as TGI's messages name it, e.g. {@code max_new_tokens}. */
    public String tgiName() {
        return tgiName;
    }
}
