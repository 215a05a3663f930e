package org.dcpserve.train.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dcpserve.core.SharedData;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.importer.HfLlamaCheckpointWriter;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.dcpserve.core.pruning.DcpGatePolicy;
import org.dcpserve.core.tokenizer.HuggingFaceTokenizer;
import org.dcpserve.core.tokenizer.SentencePieceTokenizerWriter;
import org.dcpserve.train.DjlRuntime;
import org.dcpserve.train.TestCorpus;
import org.dcpserve.train.TestModels;
import org.dcpserve.train.model.DcpTransformer;
import org.dcpserve.train.model.GateSetup;
import org.dcpserve.train.model.MaskMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingRunTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        DjlRuntime.pytorch(2);
    }

    private TrainingOptions.Builder tinyRun(Path base, Path data, String name) {
        return TrainingOptions.builder()
                .base(base).data(data).out(dir.resolve(name)).checkpointDir(dir.resolve(name + "-ck"))
                .mode(TrainingOptions.Mode.DCP).gamma(0.1).rank(8)
                .steps(30).batch(4).context(32).lr(3e-3).warmup(3).seed(7)
                .threads(2).progress(false);
    }

    @Test
    void lossGoesDownAndTheExportedPackageServesTheTrainedModel() throws IOException {
        Path base = TestModels.randomLlamaPackage(dir.resolve("base"), null, 3);
        Path data = TestCorpus.write(dir.resolve("stories.txt"), 60, 1);
        TrainingResult result = TrainingRun.run(tinyRun(base, data, "dcp").checkpointEvery(10).build());

        List<TrainingLog.Row> rows = TrainingLog.read(result.logFile());
        assertThat(rows).hasSize(30);
        assertThat(rows.get(0).alpha()).isEqualTo(1.0);
        assertThat(rows.get(29).alpha()).isEqualTo(8.0);
        double first = rows.subList(0, 5).stream().mapToDouble(TrainingLog.Row::lmLoss).average().orElseThrow();
        double last = rows.subList(25, 30).stream().mapToDouble(TrainingLog.Row::lmLoss).average().orElseThrow();
        assertThat(last).as("LM loss, last 5 steps vs first 5").isLessThan(first - 0.5);
        assertThat(Files.exists(result.plotFile())).isTrue();
        assertThat(Files.exists(result.packageDir().resolve(TrainingRun.LOG_FILE))).isTrue();

        ModelConfig exported = ModelPackage.readConfig(result.packageDir());
        assertThat(exported.dcp().rank()).isEqualTo(8);
        assertThat(exported.provenance().importer()).isEqualTo("dcp-train");
        assertThat(exported.provenance().training()).containsEntry("mode", "dcp").containsEntry("steps", 30)
                .containsKeys("final_train_sparsity", "gamma", "alpha_end", "lr", "data", "base");

        // The package holds what was trained: the DJL model rebuilt from the last checkpoint gives the
        // engine's logits on the package, hard gates and all.
        assertEngineParity(result, List.of(1, 50, 79, 70, 68, 68, 15, 85, 81, 80, 82, 15, 84, 73, 86, 69, 12, 15,
                44, 73, 76, 76, 89, 15, 72, 65, 68, 15, 65, 15, 82, 69, 68, 15, 66, 65, 76, 76, 14));
    }

    /**
     * The sparsity knob works: the same run with a larger gamma ends with sparser gates, measured by the
     * serving engine on held-out text with hard gates (not only by the training log's soft masks).
     */
    @Test
    void aLargerGammaGivesAHigherSparsity() throws IOException {
        Path base = TestModels.randomLlamaPackage(dir.resolve("base"), null, 3);
        Path data = TestCorpus.write(dir.resolve("stories.txt"), 60, 5);
        double[] gammas = {0.02, 0.5};
        double[] trainSparsity = new double[gammas.length];
        double[] engineSparsity = new double[gammas.length];
        for (int i = 0; i < gammas.length; i++) {
            TrainingResult result = TrainingRun.run(tinyRun(base, data, "gamma-" + i).gamma(gammas[i]).steps(40).build());
            trainSparsity[i] = result.finalSparsity();
            ModelSource source = ModelLoader.load(result.packageDir());
            int[] tokens = prepend(source.config().tokenizer().bosId(), source.tokenizer().encode(
                    "Tom had a red kite. Tom took the kite to the beach."));
            try (OnnxTransformer engine = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU)) {
                Sequence sequence = new Sequence(engine, new DcpGatePolicy(source.config().dcp()));
                sequence.forwardAll(tokens);
                engineSparsity[i] = sequence.report().sparsity();
            }
        }
        assertThat(trainSparsity[1]).as("training sparsity, gamma %s vs %s", gammas[1], gammas[0])
                .isGreaterThan(trainSparsity[0] + 0.1);
        assertThat(engineSparsity[1]).as("engine sparsity with hard gates, gamma %s vs %s", gammas[1], gammas[0])
                .isGreaterThan(engineSparsity[0] + 0.1);
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOne() throws IOException {
        Path base = TestModels.randomLlamaPackage(dir.resolve("base"), null, 3);
        Path data = TestCorpus.write(dir.resolve("stories.txt"), 40, 2);
        TrainingOptions straight = tinyRun(base, data, "straight").steps(6).accumulate(2).checkpointEvery(3).build();
        TrainingRun.run(straight);

        TrainingOptions split = tinyRun(base, data, "split").steps(6).accumulate(2).checkpointEvery(3).build();
        TrainingResult stopped = TrainingRun.run(split.toBuilder().stopAt(3).build());
        assertThat(stopped.packageDir()).isNull();
        assertThat(stopped.stepsDone()).isEqualTo(3);
        TrainingResult resumed = TrainingRun.run(split.toBuilder().resume(true).build());
        assertThat(resumed.stepsDone()).isEqualTo(6);

        List<TrainingLog.Row> expected = TrainingLog.read(straight.resolvedCheckpointDir().resolve(TrainingRun.LOG_FILE));
        List<TrainingLog.Row> actual = TrainingLog.read(resumed.logFile());
        assertThat(actual).hasSize(6);
        for (int i = 0; i < expected.size(); i++) {
            TrainingLog.Row e = expected.get(i);
            TrainingLog.Row a = actual.get(i);
            assertThat(a.step()).isEqualTo(e.step());
            assertThat(a.loss()).as("loss at step %d", e.step()).isCloseTo(e.loss(), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(a.lmLoss()).isCloseTo(e.lmLoss(), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(a.sparsity()).isCloseTo(e.sparsity(), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(a.alpha()).isEqualTo(e.alpha());
            assertThat(a.lr()).isEqualTo(e.lr());
        }
        Path straightFinal = new Checkpoints(straight.resolvedCheckpointDir()).latest().orElseThrow();
        Path resumedFinal = new Checkpoints(split.resolvedCheckpointDir()).latest().orElseThrow();
        assertThat(straightFinal.getFileName().toString()).isEqualTo("step-000006");
        for (String file : List.of("model.ndlist", "adamw.ndlist")) {
            Map<String, float[]> a = readArrays(straightFinal.resolve(file));
            Map<String, float[]> b = readArrays(resumedFinal.resolve(file));
            assertThat(b.keySet()).as(file).isEqualTo(a.keySet());
            a.forEach((name, values) -> assertThat(maxAbsDiff(values, b.get(name))).as("%s %s", file, name)
                    .isLessThanOrEqualTo(1e-6));
        }
        String straightState = Files.readString(straightFinal.resolve("state.json"));
        String resumedState = Files.readString(resumedFinal.resolve("state.json"));
        assertThat(resumedState.replace("split", "straight")).isEqualTo(straightState);
    }

    @Test
    void denseAndWindowFineTunesExportWithoutGates() throws IOException {
        float[] beta = {1f, 1f};
        Path base = TestModels.randomLlamaPackage(dir.resolve("gated-base"), new ModelConfig.DcpSpec(8, beta), 3);
        Path data = TestCorpus.write(dir.resolve("stories.txt"), 20, 3);
        TrainingResult dense = TrainingRun.run(tinyRun(base, data, "dense").mode(TrainingOptions.Mode.DENSE).steps(3).build());
        TrainingResult window = TrainingRun.run(tinyRun(base, data, "window").mode(TrainingOptions.Mode.WINDOW).window(5)
                .steps(3).build());
        for (TrainingResult result : List.of(dense, window)) {
            ModelConfig config = ModelPackage.readConfig(result.packageDir());
            assertThat(config.dcp()).isNull();
            assertThat(ModelPackage.readWeights(result.packageDir()).contains("layers.0.wq_int")).isFalse();
        }
        assertThat(dense.finalSparsity()).isZero();
        assertThat(window.finalSparsity()).as("share of causal pairs outside a 5-token window of 32").isGreaterThan(0.7);
        assertThat(ModelPackage.readConfig(window.packageDir()).provenance().training()).containsEntry("window", 5);
    }

    /** GPT-2 with its real vocabulary (BPE via jtokkit, EOS between stories) and a tied head trains and serves. */
    @Test
    void gpt2WithATiedHeadTrainsAndServes() throws IOException {
        ModelConfig config = new ModelConfig(ModelConfig.FORMAT_VERSION, org.dcpserve.core.model.Architecture.GPT2, 2, 32,
                4, 4, 64, 50257, 64, 1e-5f, 0f, new ModelConfig.TokenizerSpec("gpt2", null, 50256), null, null);
        org.dcpserve.core.model.ModelWeights weights = org.dcpserve.core.engine.RandomModels.weights(config, 5);
        weights.put(org.dcpserve.core.model.ModelWeights.LM_HEAD,
                weights.get(org.dcpserve.core.model.ModelWeights.TOK_EMBEDDINGS).transpose());
        Path base = dir.resolve("gpt2-base");
        ModelPackage.write(base, config, weights, null);
        Path data = TestCorpus.write(dir.resolve("stories.txt"), 20, 4);
        TrainingResult result = TrainingRun.run(tinyRun(base, data, "gpt2").steps(4).batch(2).context(24).build());
        assertThat(TrainingLog.read(result.logFile())).allSatisfy(row -> assertThat(row.loss()).isFinite());
        assertThat(result.config().dcp().rank()).isEqualTo(8);
        assertThat(result.config().architecture()).isEqualTo(org.dcpserve.core.model.Architecture.GPT2);
        try (NDManager manager = NDManager.newBaseManager();
             DcpTransformer reloaded = DcpTransformer.create(manager, result.config(),
                     ModelPackage.readWeights(result.packageDir()), GateSetup.dcp(8, 0))) {
            assertThat(reloaded.tiedHead()).as("the exported head is still the transposed embedding").isTrue();
        }
        assertEngineParity(result, null);
    }

    /**
     * A Hugging Face Qwen3 directory as users have it (BF16 safetensors in Hugging Face's layout with per-head q/k
     * norms, head_dim 16 != hidden / heads, a tied head, 300 embedding rows for a 288-token tokenizer, beside its
     * tokenizer.json, tokenizer_config.json with a chat template and generation_config.json) fine-tunes with new
     * gates: the loss falls, and the package it writes carries the tokenizer files and serves the trained model.
     */
    @Test
    void aHuggingFaceQwen3DirectoryTrainsAndServesWithItsTokenizerFiles() throws IOException {
        Path base = dir.resolve("qwen3-tiny");
        HfLlamaCheckpointWriter.write(base, new HfLlamaCheckpointWriter.Spec("Qwen3ForCausalLM", 2, 32, 4, 2, 16, 64,
                300, 128, 1e6, null, true, null, "BF16", false), 5);
        SentencePieceTokenizerWriter.write(base);
        Files.writeString(base.resolve(HuggingFaceTokenizer.CONFIG_FILE), """
                {"eos_token": "</s>", "chat_template": "{% for m in messages %}{{ m['content'] }}</s>{% endfor %}"}
                """);
        Files.writeString(base.resolve("generation_config.json"), "{\"eos_token_id\": [2, 7], \"temperature\": 0.6}\n");
        Path data = TestCorpus.write(dir.resolve("stories.txt"), 60, 6);
        TrainingResult result = TrainingRun.run(tinyRun(base, data, "qwen3").steps(20).build());

        List<TrainingLog.Row> rows = TrainingLog.read(result.logFile());
        double first = rows.subList(0, 5).stream().mapToDouble(TrainingLog.Row::lmLoss).average().orElseThrow();
        double last = rows.subList(15, 20).stream().mapToDouble(TrainingLog.Row::lmLoss).average().orElseThrow();
        assertThat(last).as("LM loss, last 5 steps vs first 5").isLessThan(first - 0.5);

        for (String file : List.of(HuggingFaceTokenizer.TOKENIZER_FILE, HuggingFaceTokenizer.CONFIG_FILE,
                "generation_config.json")) {
            assertThat(result.packageDir().resolve(file)).as(file).hasSameBinaryContentAs(base.resolve(file));
        }
        ModelConfig exported = ModelPackage.readConfig(result.packageDir());
        assertThat(exported.qkNorm()).isTrue();
        assertThat(exported.headDim()).isEqualTo(16);
        assertThat(exported.ropeLayout()).isEqualTo(ModelConfig.RopeLayout.HALVES);
        assertThat(exported.tokenizer().kind()).isEqualTo(ModelConfig.TokenizerSpec.HUGGING_FACE);
        assertThat(exported.tokenizer().isEos(7)).as("generation_config.json's end id").isTrue();
        assertThat(exported.dcp().rank()).isEqualTo(8);
        assertThat(exported.provenance().source()).isEqualTo("qwen3-tiny");
        assertEngineParity(result, null);
    }

    @Test
    void aHuggingFaceDirectoryWithoutItsTokenizerIsRefusedWithTheFileNamed() throws IOException {
        Path base = dir.resolve("no-tokenizer");
        HfLlamaCheckpointWriter.write(base, new HfLlamaCheckpointWriter.Spec("LlamaForCausalLM", 1, 32, 4, 2, null, 48,
                300, 64, 1e4, null, false, null, "F32", false), 5);
        Path data = TestCorpus.write(dir.resolve("stories.txt"), 5, 6);
        assertThatThrownBy(() -> TrainingRun.run(tinyRun(base, data, "none").build()))
                .isInstanceOf(IOException.class)
                .hasMessage("base model no-tokenizer has no tokenizer.json, which --data is tokenized with");
    }

    /**
     * stories260K with new gates: at context 256 the soft votes (alpha = 1) compound to heavy pruning
     * at first, and the LM loss falls as the gates learn what to keep. alpha stays 1 here: a 30-step
     * run is too short for the schedule to 8 (the soft-to-hard switch costs loss until the model adapts).
     */
    @Test
    void stories260KGatesLearnToKeepWhatTheModelNeeds() throws IOException {
        SharedData.assumePresent(SharedData.stories260K());
        Path data = SharedData.sharedDir().resolve("corpora/tinystories/train.txt");
        SharedData.assumePresent(data);
        TrainingResult result = TrainingRun.run(TrainingOptions.builder()
                .base(SharedData.stories260K()).data(data).out(dir.resolve("s260k")).mode(TrainingOptions.Mode.DCP)
                .gamma(0.15).alphaEnd(1).steps(30).batch(4).context(256).lr(1e-3).warmup(10).seed(11).threads(2)
                .progress(false).build());
        List<TrainingLog.Row> rows = TrainingLog.read(result.logFile());
        double first = rows.subList(0, 5).stream().mapToDouble(TrainingLog.Row::lmLoss).average().orElseThrow();
        double last = rows.subList(25, 30).stream().mapToDouble(TrainingLog.Row::lmLoss).average().orElseThrow();
        assertThat(last).as("LM loss, last 5 steps vs first 5").isLessThan(first);
        assertThat(rows.get(29).sparsity()).as("sparsity falls as the gates learn to keep")
                .isLessThan(rows.get(0).sparsity()).isGreaterThan(0.3);
        assertEngineParity(result, null);
    }

    /** DJL hard-gate logits of the last checkpoint vs the engine running the exported package. */
    private static void assertEngineParity(TrainingResult result, List<Integer> tokenList) throws IOException {
        ModelSource source = ModelLoader.load(result.packageDir());
        int[] tokens = tokenList != null
                ? tokenList.stream().mapToInt(Integer::intValue).toArray()
                : prepend(source.config().tokenizer().bosId(), source.tokenizer().encode(
                        "Once upon a time, there was a little girl named Lily. She loved to play outside."));
        float[] expected;
        try (OnnxTransformer engine = new OnnxTransformer(source.config(), source.graphs(), ExecutionProvider.CPU)) {
            expected = new Sequence(engine, new DcpGatePolicy(source.config().dcp())).forwardAll(tokens);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Checkpoints.Loaded last = Checkpoints.load(new Checkpoints(result.checkpointDir()).latest().orElseThrow(), manager);
            ModelConfig config = source.config().withDcp(last.dcp());
            try (DcpTransformer model = DcpTransformer.create(manager, config, last.weights(), GateSetup.dcp(1, 0))) {
                float[] actual = model.logits(tokens, MaskMode.DCP_HARD);
                assertThat(maxAbsDiff(actual, expected)).as("max |DJL - engine| on the trained model").isLessThanOrEqualTo(1e-4);
            }
        }
    }

    private static int[] prepend(Integer bos, int[] ids) {
        if (bos == null) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    private static Map<String, float[]> readArrays(Path file) throws IOException {
        Map<String, float[]> arrays = new HashMap<>();
        try (NDManager manager = NDManager.newBaseManager(); InputStream in = Files.newInputStream(file)) {
            for (NDArray array : NDList.decode(manager, in)) {
                arrays.put(array.getName(), array.toFloatArray());
            }
        }
        return arrays;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(b).hasSameSizeAs(a);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
