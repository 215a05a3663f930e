package org.dcpserve.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.core.tokenizer.Gpt2Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the grid counts and records besides tokens per second: weight bytes, the profile, the sampled steps. */
class DecodeGridTest {

    @Test
    void aTokenReadsEveryWeightOnceButOnlyItsRowOfTheEmbeddingTables() {
        for (ModelConfig config : List.of(RandomModels.llamaFamilyConfig(), RandomModels.gpt2Config())) {
            ModelWeights weights = RandomModels.weights(config, 3);
            long tables = (long) config.vocabSize() * config.dModel()
                    + (weights.contains(ModelWeights.POS_EMBEDDINGS) ? (long) config.contextLength() * config.dModel() : 0);
            long rows = weights.contains(ModelWeights.POS_EMBEDDINGS) ? 2 : 1;
            assertThat(DecodeGrid.bytesReadPerToken(config, weights))
                    .isEqualTo(4 * (weights.parameterCount() - tables + rows * config.dModel()));
        }
    }

    @Test
    void sampledCellsRecordTheirJavaBesideTheirGraphCalls(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("profile.csv");
        try (DecodeGrid grid = new DecodeGrid("tiny", false, 1)) {
            grid.profile(csv);
            grid.sampleWith(new Gpt2Tokenizer(), new SamplingParams(0.8f, 0, 0.95f, 1));
            DecodeGrid.Cell cell = grid.run(256, 3, "dense", 0, 1, 4);
            assertThat(cell.tokensPerSecond()).isPositive();
        }
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0) + "\n").isEqualTo(DecodeGrid.PROFILE_HEADER);
        String[] row = lines.get(1).split(",");
        assertThat(row).hasSize(lines.get(0).split(",").length);
        assertThat(List.of(row).subList(0, 4)).containsExactly("tiny", "256", "3", "dense");
        double step = Double.parseDouble(row[7]);
        double parts = 0;
        for (int i = 8; i <= 13; i++) {
            parts += Double.parseDouble(row[i]);
        }
        double sampling = Double.parseDouble(row[14]);
        // The parts are the graph calls and the Java between them, of which sampling is a share.
        assertThat(parts).isCloseTo(step, offset(0.01));
        assertThat(sampling).isPositive().isLessThanOrEqualTo(Double.parseDouble(row[13]) + 0.001);
    }

    @Test
    void denseCellsOnTheGatedModelAreLabelledAsSuch() {
        try (DecodeGrid grid = new DecodeGrid("tiny", true, 1)) {
            DecodeGrid.Cell dense = grid.run(256, 2, "dense", 0, 1, 2);
            DecodeGrid.Cell pruned = grid.run(256, 2, "dcp", 0.8, 1, 2);
            assertThat(dense.policy()).isEqualTo("dense-gated");
            assertThat(dense.keptFraction()).isGreaterThan(0.95);
            assertThat(pruned.policy()).isEqualTo("dcp");
            assertThat(pruned.keptFraction()).isBetween(0.1, 0.3);
        }
    }
}
