package org.dcpserve.core.pruning;

import org.dcpserve.core.model.ModelConfig;

/** Policies by name, as the command-line tools take them: {@code dense}, {@code dcp} or {@code window:N}. */
public final class PruningPolicies {

    private PruningPolicies() {
    }

    public static PruningPolicy parse(String text, ModelConfig config) {
        if (text.equals("dense")) {
            return DensePolicy.INSTANCE;
        }
        if (text.equals("dcp")) {
            if (!config.hasDcpGates()) {
                throw new IllegalArgumentException("policy dcp needs a model with DCP gates; this one has none");
            }
            return new DcpGatePolicy(config.dcp());
        }
        if (text.matches("window:[1-9][0-9]{0,6}")) {
            return new SlidingWindowPolicy(Integer.parseInt(text.substring("window:".length())));
        }
        throw new IllegalArgumentException("unknown policy '" + text + "': use dense, dcp or window:N");
    }
}
