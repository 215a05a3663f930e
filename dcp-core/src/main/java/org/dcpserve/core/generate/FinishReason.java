package org.dcpserve.core.generate;

import com.fasterxml.jackson.annotation.JsonValue;

/** Why generation ended, named as Hugging Face TGI names it. */
public enum FinishReason {
    LENGTH("length"),
    EOS_TOKEN("eos_token"),
    STOP_SEQUENCE("stop_sequence");

    private final String id;

    FinishReason(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }
}
