package org.dcpserve.core.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** The transformer families the engine can run. */
public enum Architecture {
    /** GPT-2: learned positions, LayerNorm, fused-bias attention, GELU (tanh) MLP. */
    GPT2("gpt2"),
    /** Llama: RoPE, RMSNorm, grouped-query attention, SwiGLU MLP, no biases. */
    LLAMA("llama");

    private final String id;

    Architecture(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }
}
