package org.dcpserve.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.model.RandomWeights;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DensePolicy;
import org.junit.jupiter.api.Test;

/** Scaled final-norm gains give a random model's logit rows the spread asked for, and a trained model's entropy. */
class LogitScaleTest {

    @Test
    void theLogitsOfAScaledRandomModelHaveTheStandardDeviationAskedFor() {
        ModelConfig config = DecodeGrid.shape("tiny");
        LogitScale.Rows drawn = rows(config, 0);
        LogitScale.Rows scaled = rows(config, 5);
        assertThat(drawn.std()).as("as drawn").isBetween(0.5, 1.5);
        assertThat(scaled.std()).isBetween(4.5, 5.5);
        assertThat(scaled.entropy()).as("nats, of ln 1000 = 6.9").isLessThan(drawn.entropy() - 3);
    }

    private static LogitScale.Rows rows(ModelConfig config, double std) {
        ModelWeights weights = RandomWeights.of(config, 1234, true);
        if (std > 0) {
            LogitScale.scaleTo(std, weights);
        }
        try (OnnxTransformer model = new OnnxTransformer(config, GraphSet.build(config, weights), ExecutionProvider.CPU)) {
            Sequence sequence = new Sequence(model, DensePolicy.INSTANCE);
            List<float[]> rows = List.of(sequence.forward(new int[] {1, 2, 3}), sequence.forward(4), sequence.forward(5));
            return LogitScale.Rows.of(rows, new SamplingParams(0.8f, 0, 0.95f, 1));
        }
    }
}
