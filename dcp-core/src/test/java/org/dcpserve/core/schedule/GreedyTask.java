package org.dcpserve.core.schedule;

import java.util.ArrayList;
import java.util.List;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.generate.Sampler;
import org.dcpserve.core.pruning.PruningPolicy;

/** Greedy decoding of a fixed number of tokens that records every step's logits; a hook runs at each step. */
class GreedyTask implements SequenceTask<GreedyTask.Outcome> {

    /** The tokens chosen, the logits they were chosen from (one [vocab] row per token), and the sequence. */
    record Outcome(List<Integer> tokens, List<float[]> logits, Sequence sequence) {
    }

    private final int[] prompt;
    private final int newTokens;
    private final PruningPolicy policy;
    private final Runnable onStep;
    private final List<Integer> tokens = new ArrayList<>();
    private final List<float[]> logits = new ArrayList<>();

    GreedyTask(int[] prompt, int newTokens, PruningPolicy policy, Runnable onStep) {
        this.prompt = prompt;
        this.newTokens = newTokens;
        this.policy = policy;
        this.onStep = onStep;
    }

    GreedyTask(int[] prompt, int newTokens, PruningPolicy policy) {
        this(prompt, newTokens, policy, () -> { });
    }

    @Override
    public PruningPolicy policy() {
        return policy;
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    @Override
    public int maxLength() {
        return prompt.length + newTokens;
    }

    @Override
    public int next(float[] stepLogits) {
        onStep.run();
        int best = Sampler.argmax(stepLogits);
        tokens.add(best);
        logits.add(stepLogits);
        return tokens.size() < newTokens ? best : END;
    }

    @Override
    public Outcome result(Sequence sequence) {
        return new Outcome(List.copyOf(tokens), List.copyOf(logits), sequence);
    }

    /** The same greedy decoding with the sequence fed alone, prompt in one piece. */
    static Outcome alone(Sequence sequence, int[] prompt, int newTokens) {
        List<Integer> tokens = new ArrayList<>();
        List<float[]> logits = new ArrayList<>();
        float[] last = sequence.forward(prompt);
        while (true) {
            int best = Sampler.argmax(last);
            tokens.add(best);
            logits.add(last);
            if (tokens.size() == newTokens) {
                return new Outcome(tokens, logits, sequence);
            }
            last = sequence.forward(best);
        }
    }
}
