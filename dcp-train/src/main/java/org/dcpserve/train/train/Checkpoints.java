package org.dcpserve.train.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dcpserve.core.model.FloatTensor;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelWeights;
import org.dcpserve.train.model.DcpTransformer;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Training checkpoints in a directory, one sub-directory per saved step:
 *
 * <pre>
 * step-000100/model.ndlist    the parameters (NDList encoding, float32, named as in DcpTransformer)
 * step-000100/adamw.ndlist    AdamW's first and second moments (m/NAME, v/NAME)
 * step-000100/state.json      step, AdamW step count, the run's settings (see {@link State})
 * </pre>
 *
 * A checkpoint is written into a temporary directory and renamed into place, so an interrupted save
 * never leaves a half-written "latest" checkpoint. The data cursor needs no saving: batches are a
 * pure function of (seed, step) (see {@link TokenData#batch}). Only the newest {@link #KEEP} are kept.
 */
public final class Checkpoints {

    public static final int KEEP = 2;
    private static final Pattern NAME = Pattern.compile("step-(\\d+)");
    private static final String MODEL = "model.ndlist";
    private static final String OPTIMIZER = "adamw.ndlist";
    private static final String STATE = "state.json";
    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path directory;

    public Checkpoints(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    /**
     * What a checkpoint records besides the tensors; a resumed run checks that it is continuing the
     * same run (mode, data, sizes), because the schedules and the data windows depend on them.
     */
    public record State(long step, long optimizerSteps, long totalSteps, long seed, String mode, int window,
                        double gamma, int batch, int accumulate, int context, double lr, int warmup,
                        double alphaEnd, Integer rank, String base, String data, int dataTokens, String lrSchedule) {

        /** The schedule, also for checkpoints written before schedules could be chosen (they were constant). */
        public String lrScheduleOrDefault() {
            return lrSchedule == null ? TrainingOptions.LrSchedule.CONSTANT.id() : lrSchedule;
        }
    }

    /** A checkpoint read back. */
    public record Loaded(Path path, State state, ModelWeights weights, ModelConfig.DcpSpec dcp, NDList optimizer) {
    }

    public Path save(State state, DcpTransformer model, AdamW optimizer) throws IOException {
        Files.createDirectories(directory);
        String name = String.format("step-%06d", state.step());
        Path target = directory.resolve(name);
        Path temporary = directory.resolve(name + ".tmp");
        deleteTree(temporary);
        Files.createDirectories(temporary);
        try (OutputStream out = Files.newOutputStream(temporary.resolve(MODEL))) {
            new NDList(model.parameters().values().toArray(NDArray[]::new)).encode(out);
        }
        try (OutputStream out = Files.newOutputStream(temporary.resolve(OPTIMIZER))) {
            optimizer.state().encode(out);
        }
        Files.writeString(temporary.resolve(STATE), JSON.writeValueAsString(state) + "\n");
        deleteTree(target);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        List<Path> all = list();
        for (int i = 0; i < all.size() - KEEP; i++) {
            deleteTree(all.get(i));
        }
        return target;
    }

    /** Complete checkpoints, oldest first. */
    public List<Path> list() throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return found;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (Path path : stream) {
                if (NAME.matcher(path.getFileName().toString()).matches() && Files.isRegularFile(path.resolve(STATE))) {
                    found.add(path);
                }
            }
        }
        found.sort(Comparator.comparingLong(Checkpoints::stepOf));
        return found;
    }

    public Optional<Path> latest() throws IOException {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Reads a checkpoint: the parameters become canonical weights (a tied head, not stored, is
     * rebuilt as the transposed embedding) plus the gate spec; the optimizer state stays an NDList
     * in {@code manager}.
     */
    public static Loaded load(Path checkpoint, NDManager manager) throws IOException {
        State state = JSON.readValue(checkpoint.resolve(STATE).toFile(), State.class);
        ModelWeights weights = new ModelWeights();
        Map<Integer, Float> betas = new java.util.TreeMap<>();
        try (NDManager scratch = manager.newSubManager(); InputStream in = Files.newInputStream(checkpoint.resolve(MODEL))) {
            for (NDArray array : NDList.decode(scratch, in)) {
                String name = array.getName();
                Matcher beta = Pattern.compile("layers\\.(\\d+)\\." + DcpTransformer.BETA).matcher(name);
                if (beta.matches()) {
                    betas.put(Integer.parseInt(beta.group(1)), array.toFloatArray()[0]);
                } else {
                    weights.put(name, tensor(array));
                }
            }
        }
        if (!weights.contains(ModelWeights.LM_HEAD)) {
            weights.put(ModelWeights.LM_HEAD, weights.get(ModelWeights.TOK_EMBEDDINGS).transpose());
        }
        ModelConfig.DcpSpec dcp = null;
        if (!betas.isEmpty()) {
            float[] beta = new float[betas.size()];
            betas.forEach((layer, value) -> beta[layer] = value);
            dcp = new ModelConfig.DcpSpec(weights.get(ModelWeights.layer(0, "wq_int")).dim(1), beta);
        }
        NDList optimizer;
        try (InputStream in = Files.newInputStream(checkpoint.resolve(OPTIMIZER))) {
            optimizer = NDList.decode(manager, in);
        }
        return new Loaded(checkpoint, state, weights, dcp, optimizer);
    }

    private static FloatTensor tensor(NDArray array) {
        long[] shape = array.getShape().getShape();
        int[] dims = new int[shape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = Math.toIntExact(shape[i]);
        }
        return new FloatTensor(array.toFloatArray(), dims);
    }

    private static long stepOf(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
