package org.dcpserve.train.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.train.DjlRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Gradients of the whole model: finite when votes saturate, and independent of garbage collection. */
class GradientTest {

    private static Engine engine;
    private static NDManager manager;

    @BeforeAll
    static void start() {
        engine = DjlRuntime.pytorch(2);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /**
     * DJL's scalar ops (x.mul(2f)) hand autograd a tensor whose memory is a Java buffer that the GC may
     * free before backward; the model must not depend on that (see {@link Ops}). A full GC between
     * forward and backward must not change a single gradient.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama-family", "gpt2"})
    void gradientsDoNotDependOnGarbageCollection(String architecture) throws InterruptedException {
        ModelConfig config = switch (architecture) {
            case "llama" -> RandomModels.llamaConfig();
            case "llama-family" -> RandomModels.llamaFamilyConfig();   // biases, q/k norms, halves RoPE, GQA
            default -> RandomModels.gpt2Config();
        };
        ModelWeights weights = RandomModels.weights(config, 9);
        try (DcpTransformer model = DcpTransformer.create(manager, config, weights, GateSetup.dcp(8, 3))) {
            Map<String, float[]> quiet = gradients(model, config, MaskMode.dcp(3.5), false);
            Map<String, float[]> collected = gradients(model, config, MaskMode.dcp(3.5), true);
            quiet.forEach((name, g) -> assertThat(collected.get(name)).as(name).containsExactly(g));
            // Every parameter is trained, those of the Llama family's options (bq, q_norm, ...) included.
            quiet.forEach((name, g) -> assertThat(maxAbs(g)).as("gradient of %s", name).isPositive());
        }
    }

    /** Saturated votes (scores far beyond the band, keep products underflowing) give finite gradients. */
    @ParameterizedTest
    @ValueSource(doubles = {1.0, 2.0, 8.0})
    void gradientsStayFiniteWhenVotesSaturate(double alpha) throws InterruptedException {
        ModelConfig config = RandomModels.llamaConfig().withDcp(new ModelConfig.DcpSpec(8, new float[] {-3f, 3f}));
        ModelWeights weights = RandomModels.weights(config, 4);
        for (String gate : new String[] {"wq_int", "wk_int"}) {
            for (int l = 0; l < config.layers(); l++) {
                float[] data = weights.layerTensor(l, gate).data();
                for (int i = 0; i < data.length; i++) {
                    data[i] *= 30f;                    // scores of order +-1000
                }
            }
        }
        try (DcpTransformer model = DcpTransformer.create(manager, config, weights, GateSetup.dcp(8, 3))) {
            Map<String, float[]> gradients = gradients(model, config, MaskMode.dcp(alpha), false);
            gradients.forEach((name, g) -> {
                for (float v : g) {
                    assertThat(Float.isFinite(v)).as("gradient of %s finite", name).isTrue();
                }
            });
            assertThat(gradients.get("layers.0.wq").length).isPositive();
        }
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static Map<String, float[]> gradients(DcpTransformer model, ModelConfig config, MaskMode mode,
                                                  boolean collectGarbage) throws InterruptedException {
        long[] ids = new SplittableRandom(1).longs(2 * 24, 0, config.vocabSize()).toArray();
        long[] targets = Arrays.stream(ids).map(id -> (id * 7 + 3) % config.vocabSize()).toArray();
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager local = manager.newSubManager()) {
            try (GradientCollector collector = engine.newGradientCollector()) {
                DcpTransformer.Output output = model.forward(Ops.owned(local, ids, new Shape(2, 24)), mode);
                NDArray lm = output.logits().logSoftmax(-1)
                        .gather(Ops.owned(local, targets, new Shape(2, 24)).expandDims(-1), -1).mean().neg();
                NDArray loss = lm.add(Ops.times(output.meanKeep(), 0.3));
                if (collectGarbage) {
                    for (int i = 0; i < 3; i++) {
                        System.gc();
                        Thread.sleep(20);
                    }
                }
                collector.backward(loss);
            }
            for (Map.Entry<String, NDArray> p : model.parameters().entrySet()) {
                NDArray g = p.getValue().getGradient();
                g.attach(local);
                out.put(p.getKey(), g.toFloatArray());
                ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p.getValue());
            }
        }
        return out;
    }
}
