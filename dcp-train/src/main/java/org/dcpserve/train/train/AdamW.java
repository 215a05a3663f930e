package org.dcpserve.train.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter) over NDArrays, written out so that its whole state (first and
 * second moments per parameter, the step count) can be checkpointed and restored exactly. The
 * update is PyTorch's:
 *
 * <pre>
 * p  = p * (1 - lr * weightDecay)                (decoupled decay, matrices only)
 * m  = beta1 m + (1 - beta1) g
 * v  = beta2 v + (1 - beta2) g^2
 * p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 */
public final class AdamW implements AutoCloseable {

    private final Hyper hyper;
    private final NDManager manager;
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private long step;

    /**
     * @param beta1       decay of the first moment (0.9)
     * @param beta2       decay of the second moment (0.95, as nanoGPT, which the paper's code builds on)
     * @param eps         added to the denominator (1e-8)
     * @param weightDecay decoupled weight decay on matrices (the paper: 0)
     */
    public record Hyper(double beta1, double beta2, double eps, double weightDecay) {
        public static Hyper withWeightDecay(double weightDecay) {
            return new Hyper(0.9, 0.95, 1e-8, weightDecay);
        }
    }

    public AdamW(NDManager parent, Hyper hyper) {
        this.hyper = hyper;
        this.manager = parent.newSubManager();
    }

    public Hyper hyper() {
        return hyper;
    }

    /** Updates taken so far. */
    public long stepCount() {
        return step;
    }

    /**
     * Sum of squares of all gradients, for clipping: sqrt of it is the global gradient norm.
     */
    public double gradientNorm(Map<String, NDArray> parameters) {
        double sumSquares = 0;
        try (NDManager scratch = manager.newSubManager()) {
            for (NDArray p : parameters.values()) {
                sumSquares += local(p.getGradient(), scratch).square().sum().getFloat();
            }
        }
        return Math.sqrt(sumSquares);
    }

    /**
     * One update of every parameter from its accumulated gradient times {@code gradientScale} (the
     * clipping factor), then the gradients are zeroed for the next step.
     */
    public void step(Map<String, NDArray> parameters, double lr, double gradientScale) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);      // in-place updates of leaves must not be recorded
        step++;
        double b1 = hyper.beta1();
        double b2 = hyper.beta2();
        double stepSize = lr / (1 - Math.pow(b1, step));
        double sqrtCorrection2 = Math.sqrt(1 - Math.pow(b2, step));
        try (NDManager scratch = manager.newSubManager()) {
            for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
                NDArray p = entry.getValue();
                NDArray g = local(p.getGradient(), scratch);
                if (gradientScale != 1.0) {
                    g = g.mul((float) gradientScale);
                }
                NDArray m = first.computeIfAbsent(entry.getKey(), k -> manager.zeros(p.getShape()));
                NDArray v = second.computeIfAbsent(entry.getKey(), k -> manager.zeros(p.getShape()));
                if (hyper.weightDecay() > 0 && p.getShape().dimension() >= 2) {
                    p.muli((float) (1 - lr * hyper.weightDecay()));
                }
                m.muli((float) b1).addi(g.mul((float) (1 - b1)));
                v.muli((float) b2).addi(g.square().mul((float) (1 - b2)));
                NDArray denominator = local(v.sqrt(), scratch).div((float) sqrtCorrection2).add((float) hyper.eps());
                p.subi(local(m.div(denominator), scratch).mul((float) stepSize));
                JniUtils.zeroGrad((PtNDArray) p);
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** The moments as one list, named {@code m/<param>} and {@code v/<param>}, for a checkpoint. */
    public NDList state() {
        NDList list = new NDList();
        first.forEach((name, m) -> {
            m.setName("m/" + name);
            list.add(m);
        });
        second.forEach((name, v) -> {
            v.setName("v/" + name);
            list.add(v);
        });
        return list;
    }

    /** Restores {@link #state()} and the step count; the arrays are copied into this optimizer's manager. */
    public void restore(NDList state, long steps) {
        first.values().forEach(NDArray::close);
        second.values().forEach(NDArray::close);
        first.clear();
        second.clear();
        for (NDArray array : state) {
            String name = array.getName();
            NDArray copy = array.duplicate();
            copy.attach(manager);
            if (name.startsWith("m/")) {
                first.put(name.substring(2), copy);
            } else if (name.startsWith("v/")) {
                second.put(name.substring(2), copy);
            } else {
                throw new IllegalArgumentException("not an AdamW state entry: " + name);
            }
        }
        this.step = steps;
    }

    /**
     * Moves {@code array} (a gradient handle or a result computed from a parameter or moment, which
     * DJL puts in that array's manager) into {@code scratch}: everything computed from it then lands
     * there too and is freed with it.
     */
    private static NDArray local(NDArray array, NDManager scratch) {
        array.attach(scratch);
        return array;
    }

    @Override
    public void close() {
        manager.close();
    }
}
