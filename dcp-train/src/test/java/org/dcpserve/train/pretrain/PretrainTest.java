package org.dcpserve.train.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.generate.GenerationRequest;
import org.dcpserve.core.generate.SamplingParams;
import org.dcpserve.core.generate.TextGenerator;
import org.dcpserve.core.generate.TokenListener;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.train.DjlRuntime;
import org.dcpserve.train.TestCorpus;
import org.dcpserve.train.TrainCommand;
import org.dcpserve.train.train.Schedules;
import org.dcpserve.train.train.TrainingLog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pretraining from nothing: tokenizer, random GPT-2, dense training with a cosine rate, a servable package. */
class PretrainTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        DjlRuntime.pytorch(2);
    }

    @Test
    void aRandomGpt2LearnsTheCorpusAndIsServedWithItsOwnTokenizer() throws IOException {
        Path data = TestCorpus.write(dir.resolve("train.txt"), 80, 9);
        Path tokenizer = dir.resolve("tokenizer.json");
        assertThat(TrainCommand.execute("tokenizer", "--data", data.toString(), "--vocab", "320", "--out",
                tokenizer.toString())).isZero();
        Path init = dir.resolve("init");
        String[] initArgs = {"init", "--tokenizer", tokenizer.toString(), "--out", init.toString(), "--layers", "2",
                "--d-model", "32", "--heads", "4", "--context", "64", "--seed", "5"};
        assertThat(TrainCommand.execute(initArgs)).isZero();

        ModelConfig config = ModelPackage.readConfig(init);
        assertThat(config.tokenizer().kind()).isEqualTo(ModelConfig.TokenizerSpec.BPE);
        assertThat(config.vocabSize()).isEqualTo(320);
        assertThat(config.ffnDim()).isEqualTo(128);
        ModelWeights weights = ModelPackage.readWeights(init);
        assertThat(weights.get(ModelWeights.LM_HEAD)).as("tied head")
                .isEqualTo(weights.get(ModelWeights.TOK_EMBEDDINGS).transpose());
        float[] wq = weights.layerTensor(0, "wq").data();
        assertThat(std(wq)).as("N(0, 0.02)").isCloseTo(0.02, within(0.002));
        assertThat(std(weights.layerTensor(1, "proj").data())).as("residual projection scaled by 1/sqrt(2 layers)")
                .isCloseTo(0.01, within(0.001));

        Path again = dir.resolve("init-again");
        initArgs[4] = again.toString();
        assertThat(TrainCommand.execute(initArgs)).isZero();
        for (String graph : List.of("embed.onnx", "layer_01_out.onnx", "head.onnx", "tokenizer.json")) {
            assertThat(Files.readAllBytes(again.resolve(graph))).as("same seed, same %s", graph)
                    .isEqualTo(Files.readAllBytes(init.resolve(graph)));
        }

        Path out = dir.resolve("pretrained");
        assertThat(TrainCommand.execute("train", "--base", init.toString(), "--data", data.toString(), "--out",
                out.toString(), "--mode", "dense", "--steps", "40", "--batch", "4", "--context", "48", "--lr", "3e-3",
                "--warmup", "5", "--lr-schedule", "cosine", "--weight-decay", "0.1", "--threads", "2",
                "--no-progress")).isZero();
        List<TrainingLog.Row> rows = TrainingLog.read(out.resolve("train_log.csv"));
        assertThat(rows.get(39).lr()).as("cosine ends at a tenth of the peak").isCloseTo(3e-4, within(1e-9));
        double first = rows.subList(0, 5).stream().mapToDouble(TrainingLog.Row::lmLoss).average().orElseThrow();
        double last = rows.subList(35, 40).stream().mapToDouble(TrainingLog.Row::lmLoss).average().orElseThrow();
        assertThat(last).as("LM loss, last 5 steps vs first 5").isLessThan(first - 1.0);

        ModelSource source = ModelLoader.load(out);
        try (OnnxTransformer engine = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU)) {
            String text = new TextGenerator(engine, source.tokenizer()).generate(new GenerationRequest("Once upon a time,",
                    12, SamplingParams.greedy(), List.of(), null), TokenListener.NONE).text();
            assertThat(text).as("the corpus's words, from a model that started random").containsAnyOf(" had", " the", " a");
        }
    }

    @Test
    void theCosineScheduleWarmsUpThenFallsToATenth() {
        assertThat(Schedules.cosineLearningRate(5, 100, 1e-3, 10)).isCloseTo(5e-4, within(1e-12));
        assertThat(Schedules.cosineLearningRate(10, 100, 1e-3, 10)).isCloseTo(1e-3, within(1e-12));
        assertThat(Schedules.cosineLearningRate(55, 100, 1e-3, 10)).isCloseTo(5.5e-4, within(1e-12));
        assertThat(Schedules.cosineLearningRate(100, 100, 1e-3, 10)).isCloseTo(1e-4, within(1e-12));
    }

    private static double std(float[] values) {
        double sum = 0;
        double squares = 0;
        for (float v : values) {
            sum += v;
            squares += v * v;
        }
        double mean = sum / values.length;
        return Math.sqrt(squares / values.length - mean * mean);
    }
}
