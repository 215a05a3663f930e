package org.dcpserve.train.train;

import java.nio.file.Path;
import org.dcpserve.core.model.ModelConfig;

/**
 * What a training run produced.
 *
 * @param packageDir       the exported model package, or null when the run stopped early (--stop-at)
 * @param config           the exported config (gates, provenance), or null when stopped early
 * @param stepsDone        the last step completed (of the whole run, resumed parts included)
 * @param finalLoss        loss of the last step (LM + gamma * mean keep)
 * @param finalLmLoss      LM cross-entropy of the last step
 * @param finalSparsity    1 - mean keep over causal pairs and layers at the last step (soft gates at that
 *                         step's alpha; 0 for dense, the window's constant share for window mode)
 * @param seconds          wall time of this invocation's training steps
 * @param tokensPerSecond  training tokens per second over this invocation
 * @param logFile          the per-step CSV
 * @param plotFile         the PNG of the curves
 * @param checkpointDir    the checkpoint directory
 */
public record TrainingResult(Path packageDir, ModelConfig config, long stepsDone, double finalLoss, double finalLmLoss,
                             double finalSparsity, double seconds, double tokensPerSecond, Path logFile, Path plotFile,
                             Path checkpointDir) {
}
