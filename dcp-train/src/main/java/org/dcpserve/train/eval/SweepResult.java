package org.dcpserve.train.eval;

/**
 * One row of the sweep: a model evaluated under a policy on the held-out text.
 *
 * @param method          what is compared: dense fine-tuned, DCP, sliding window ...
 * @param model           the package evaluated
 * @param gamma           the DCP run this row belongs to (0 for the dense baseline)
 * @param policy          dense, dcp or window:N
 * @param perplexity      held-out perplexity
 * @param sparsity        share of causal pairs masked
 * @param kvBytesFraction KV bytes held at the end over a dense cache's
 */
record SweepResult(String method, String model, double gamma, String policy, double perplexity, double sparsity,
                   double kvBytesFraction) {
}
