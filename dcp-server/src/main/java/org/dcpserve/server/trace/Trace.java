package org.dcpserve.server.trace;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OrderBy;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.dcpserve.core.generate.Generation;
import org.dcpserve.core.pruning.PruningReport;
import org.springframework.data.domain.Persistable;

/**
 * The drop trace of one request: what was asked, what came out, and what each layer's cache dropped.
 * Written once, never updated. Tokens, layers and drops are value collections keyed by the request id,
 * so the whole trace goes in with batched inserts and no generated ids.
 */
@Entity
@Table(name = "trace")
class Trace implements Persistable<UUID> {

    @Id
    @Column(name = "request_id")
    private UUID requestId;
    private Instant createdAt;
    private String model;
    private String policy;
    private String prompt;
    private String generatedText;
    private String finishReason;
    private int promptTokens;
    private int generatedTokens;
    private double sparsity;
    private long kvCacheBytes;
    private long denseKvCacheBytes;
    /** The name of the API key that made it; null when keys are off. */
    private String ownerKey;

    @ElementCollection
    @CollectionTable(name = "trace_token", joinColumns = @JoinColumn(name = "request_id"))
    @OrderBy("position")
    private List<TraceToken> tokens = new ArrayList<>();

    @ElementCollection
    @CollectionTable(name = "trace_layer", joinColumns = @JoinColumn(name = "request_id"))
    @OrderBy("layer")
    private List<TraceLayer> layers = new ArrayList<>();

    @ElementCollection
    @CollectionTable(name = "trace_drop", joinColumns = @JoinColumn(name = "request_id"))
    @OrderBy("layer, position")
    private List<TraceDrop> drops = new ArrayList<>();

    /**
     * The id is assigned, so Spring Data cannot tell a new trace from a stored one by a null id and would
     * merge, which SELECTs first. A trace is new until it has been persisted or loaded.
     */
    @Transient
    private boolean isNew = true;

    protected Trace() {
        // for JPA
    }

    static Trace of(UUID requestId, Instant createdAt, String model, String owner, String prompt,
                    Generation generation) {
        Trace trace = new Trace();
        PruningReport pruning = generation.pruning();
        trace.requestId = requestId;
        trace.createdAt = createdAt;
        trace.model = model;
        trace.ownerKey = owner;
        trace.policy = pruning.policy();
        trace.prompt = storable(prompt);
        trace.generatedText = storable(generation.text());
        trace.finishReason = generation.finishReason().id();
        trace.promptTokens = generation.prompt().size();
        trace.generatedTokens = generation.tokens().size();
        trace.sparsity = pruning.sparsity();
        trace.kvCacheBytes = pruning.kvCacheBytes();
        trace.denseKvCacheBytes = pruning.denseKvCacheBytes();
        trace.tokens = new ArrayList<>(generation.prompt().size() + generation.tokens().size());
        generation.prompt().forEach(token -> trace.tokens.add(TraceToken.of(token, true)));
        generation.tokens().forEach(token -> trace.tokens.add(TraceToken.of(token, false)));
        trace.layers = new ArrayList<>(pruning.layers().size());
        pruning.layers().forEach(layer -> trace.layers.add(TraceLayer.of(layer)));
        trace.drops = new ArrayList<>(pruning.drops().size());
        pruning.drops().forEach(drop -> trace.drops.add(TraceDrop.of(drop)));
        return trace;
    }

    /**
     * PostgreSQL text cannot hold NUL, which a byte-level token (GPT-2's id 188) or a prompt may contain;
     * it is stored as U+FFFD on every database so the two give the same traces.
     */
    static String storable(String text) {
        return text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }

    @PostPersist
    @PostLoad
    void stored() {
        isNew = false;
    }

    @Override
    public UUID getId() {
        return requestId;
    }

    @Override
    public boolean isNew() {
        return isNew;
    }

    Instant createdAt() {
        return createdAt;
    }

    String model() {
        return model;
    }

    String ownerKey() {
        return ownerKey;
    }

    String policy() {
        return policy;
    }

    String prompt() {
        return prompt;
    }

    String generatedText() {
        return generatedText;
    }

    String finishReason() {
        return finishReason;
    }

    int promptTokens() {
        return promptTokens;
    }

    int generatedTokens() {
        return generatedTokens;
    }

    double sparsity() {
        return sparsity;
    }

    long kvCacheBytes() {
        return kvCacheBytes;
    }

    long denseKvCacheBytes() {
        return denseKvCacheBytes;
    }

    /** Prompt and generated tokens in position order (a lazy load inside the caller's transaction). */
    List<TraceToken> tokens() {
        return tokens;
    }

    /** One entry per layer, in layer order. */
    List<TraceLayer> layers() {
        return layers;
    }

    /** Every drop, ordered by layer, then dropped position. */
    List<TraceDrop> drops() {
        return drops;
    }
}
