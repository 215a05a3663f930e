package org.dcpserve.core.schedule;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.dcpserve.core.engine.BatchStep;
import org.dcpserve.core.engine.ContextLengthExceededException;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.model.ModelConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching: one thread runs forward steps over all running sequences together, one
 * {@link BatchStep} per iteration. Between steps, finished and cancelled sequences leave and free their
 * cache budget, and waiting ones join in arrival order while the batch and the KV budget have room. A
 * joining sequence's prompt is fed in chunks that share {@link SchedulerLimits#prefillChunk} tokens per
 * step, alongside the running sequences' single decode tokens, so a long prompt never stalls them for long.
 *
 * <p>{@link #submit} is thread-safe and never blocks: a full queue refuses at once.
 *
 * <p>The loop cannot die quietly: whatever ends it other than {@link #close} (an {@link Error} such as running out
 * of direct memory in a cache relayout, or a bug) marks the scheduler {@link State#FAILED}, completes every running
 * and waiting sequence with a {@link SchedulerUnavailableException} naming the cause, and makes {@link #submit}
 * refuse with one from then on. A {@link RuntimeException} of one step fails only the sequences it fed.
 */
public final class StepScheduler implements AutoCloseable {

    /** Whether the scheduler takes work. */
    public enum State {
        /** Submitting queues. */
        ACCEPTING,
        /** {@link #stopAccepting} was called: what was submitted runs to its end, new work is refused. */
        DRAINING,
        /** The step loop stopped on an error ({@link #failure}); everything is refused. */
        FAILED,
        /** {@link #close} was called. */
        CLOSED
    }

    private static final Logger log = LoggerFactory.getLogger(StepScheduler.class);

    private final OnnxTransformer model;
    private final ModelConfig config;
    private final SchedulerLimits limits;
    private final BatchStep step;
    /** The step's token picks, on the cores ONNX Runtime leaves idle between steps. */
    private final PickThreads picks = PickThreads.perCore();
    private final Thread loop;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    /** Guarded by {@code lock}. */
    private final ArrayDeque<Entry<?>> waiting = new ArrayDeque<>();
    /** Guarded by {@code lock}. */
    private boolean closed;
    /** Guarded by {@code lock}. */
    private boolean draining;
    /** Written under {@code lock}; null while the step loop runs or after it was closed. */
    private volatile Throwable failure;

    /** Step thread only. */
    private final List<Entry<?>> running = new ArrayList<>();
    private volatile int runningCount;
    private volatile long heldBytes;
    private volatile long generatedTokens;
    private volatile long steps;

    public StepScheduler(OnnxTransformer model, SchedulerLimits limits) {
        this.model = model;
        this.config = model.config();
        this.limits = limits;
        this.step = new BatchStep(model);
        this.loop = Thread.ofPlatform().name("dcp-step-loop").daemon().start(this::run);
    }

    /**
     * Queues a sequence. Refuses at once, without queueing: {@link QueueFullException} when
     * {@link SchedulerLimits#maxQueued} requests are waiting, {@link KvBudgetExceededException} when its
     * cache alone could pass the budget, {@link ContextLengthExceededException} when it could pass the
     * context, {@link IllegalArgumentException} when its policy needs gates the model lacks,
     * {@link SchedulerUnavailableException} when the scheduler failed, drains or is closed.
     */
    public <R> SequenceHandle<R> submit(SequenceTask<R> task) {
        if (task.prompt().length == 0) {
            throw new IllegalArgumentException("a sequence needs at least one prompt token");
        }
        if (task.maxLength() > config.contextLength()) {
            throw new ContextLengthExceededException(task.maxLength(), config.contextLength());
        }
        if (task.policy().usesInteractionKeys() && !config.hasDcpGates()) {
            throw new IllegalArgumentException("policy " + task.policy().name() + " needs a model with DCP gates");
        }
        long need = task.maxLength() * Sequence.bytesPerToken(config, task.policy());
        if (need > limits.maxKvBytes()) {
            throw new KvBudgetExceededException(need, limits.maxKvBytes());
        }
        Entry<R> entry = new Entry<>(task, need);
        entry.handle = new SequenceHandle<>(() -> dequeue(entry));
        lock.lock();
        try {
            if (failure != null) {
                throw SchedulerUnavailableException.failed(failure);
            }
            if (closed || draining) {
                throw SchedulerUnavailableException.stopping();
            }
            if (waiting.size() >= limits.maxQueued()) {
                throw new QueueFullException(limits.maxQueued());
            }
            waiting.add(entry);
            work.signal();
        } finally {
            lock.unlock();
        }
        return entry.handle;
    }

    /** Requests waiting to join. */
    public int queued() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /** Sequences in the batch after the last step boundary. */
    public int running() {
        return runningCount;
    }

    /** Worst-case KV bytes budgeted for the running sequences (every region padded to the longest need). */
    public long reservedKvBytes() {
        lock.lock();
        try {
            return paddedReservation(null);
        } finally {
            lock.unlock();
        }
    }

    /** KV bytes the running sequences' caches held after the last step (what pruning saves shows here). */
    public long heldKvBytes() {
        return heldBytes;
    }

    /** Tokens chosen so far, over all sequences. */
    public long generatedTokens() {
        return generatedTokens;
    }

    /** Forward steps run so far. */
    public long steps() {
        return steps;
    }

    /**
     * From now on {@link #submit} refuses; what was submitted before still joins and runs to its end (the
     * service's graceful shutdown).
     */
    public void stopAccepting() {
        lock.lock();
        try {
            draining = true;
        } finally {
            lock.unlock();
        }
    }

    /** Takes work again after {@link #stopAccepting} (a paused service resumed); a failed or closed one stays so. */
    public void resumeAccepting() {
        lock.lock();
        try {
            draining = false;
        } finally {
            lock.unlock();
        }
    }

    public State state() {
        lock.lock();
        try {
            if (failure != null) {
                return State.FAILED;
            }
            return closed ? State.CLOSED : draining ? State.DRAINING : State.ACCEPTING;
        } finally {
            lock.unlock();
        }
    }

    /** Why the step loop stopped, when it {@link State#FAILED}; otherwise null. */
    public Throwable failure() {
        return failure;
    }

    /** Stops after the current step; sequences still waiting or running complete with a CancellationException. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        try {
            loop.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        Throwable failed = null;
        try {
            while (admit()) {
                runStep();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            // Everything, Errors included: a loop that ends unnoticed leaves callers waiting on a queue nobody serves.
            failed = e;
            log.error("The step loop failed; every running and waiting sequence fails, new ones are refused", e);
        } finally {
            List<Entry<?>> left = new ArrayList<>(running);
            lock.lock();
            try {
                failure = failed;
                closed = true;
                left.addAll(waiting);
                waiting.clear();
            } finally {
                lock.unlock();
            }
            Throwable cause = failed;
            left.forEach(entry -> entry.handle.fail(cause != null ? SchedulerUnavailableException.failed(cause)
                    : new CancellationException("the scheduler was closed")));
            picks.close();
        }
    }

    /**
     * The step boundary: done sequences leave, waiting ones join while there is room. Waits while there is
     * nothing to run; returns false once closed.
     */
    private boolean admit() throws InterruptedException {
        lock.lock();
        try {
            running.removeIf(entry -> {
                if (entry.handle.isDone()) {
                    entry.sequence.release();
                    return true;
                }
                return false;
            });
            while (!closed && running.isEmpty() && waiting.isEmpty()) {
                work.await();
            }
            if (closed) {
                return false;
            }
            while (running.size() < limits.maxBatch() && !waiting.isEmpty()
                    && paddedReservation(waiting.peek()) <= limits.maxKvBytes()) {
                Entry<?> entry = waiting.poll();
                running.add(entry);
                entry.join(step);
            }
            runningCount = running.size();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void runStep() {
        List<BatchStep.Feed> feeds = new ArrayList<>(running.size());
        List<Entry<?>> fed = new ArrayList<>(running.size());
        int prefillBudget = limits.prefillChunk();
        for (Entry<?> entry : running) {
            BatchStep.Feed feed = entry.feed(prefillBudget);
            if (feed != null) {
                if (entry.prefilling()) {
                    prefillBudget -= feed.tokens().length;
                }
                feeds.add(feed);
                fed.add(entry);
            }
        }
        if (feeds.isEmpty()) {
            return;
        }
        List<float[]> logits;
        try {
            logits = step.run(feeds);
        } catch (RuntimeException error) {
            leave(fed);
            fed.forEach(entry -> entry.handle.fail(error));
            return;
        }
        int[] picking = new int[fed.size()];
        float[][] rows = new float[fed.size()][];   // the row [vocab] each entry picks from, null for none
        int tokens = 0;
        for (int i = 0; i < fed.size(); i++) {
            Entry<?> entry = fed.get(i);
            rows[i] = entry.fed(feeds.get(i), logits.get(i), config.vocabSize());
            if (rows[i] != null && !entry.handle.isDone()) {
                picking[tokens++] = i;
            }
        }
        // The picks run side by side; each touches only its own entry and task.
        boolean[] done = new boolean[fed.size()];
        picks.forEach(tokens, j -> done[picking[j]] = fed.get(picking[j]).accept(rows[picking[j]]));
        List<Entry<?>> finished = new ArrayList<>();
        for (int i = 0; i < fed.size(); i++) {
            if (done[i]) {
                finished.add(fed.get(i));
            }
        }
        leave(finished);
        // Completed only once they left: whoever sees a result sees its budget returned.
        finished.forEach(Entry::complete);
        long held = 0;
        for (Entry<?> entry : running) {
            held += entry.sequence.heldBytes();
        }
        generatedTokens += tokens;
        heldBytes = held;
        steps++;
    }

    private void leave(List<Entry<?>> entries) {
        lock.lock();
        try {
            for (Entry<?> entry : entries) {
                running.remove(entry);
                entry.sequence.release();
            }
            runningCount = running.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Worst-case KV bytes of the running sequences with {@code joining} (null: none) among them: as many
     * regions as sequences, each as long as the longest need, because their caches share per-layer pools
     * whose regions all have one length. Under the lock.
     */
    private long paddedReservation(Entry<?> joining) {
        long longest = joining == null ? 0 : joining.need;
        for (Entry<?> entry : running) {
            longest = Math.max(longest, entry.need);
        }
        return (running.size() + (joining == null ? 0 : 1)) * longest;
    }

    private void dequeue(Entry<?> entry) {
        lock.lock();
        try {
            waiting.remove(entry);
        } finally {
            lock.unlock();
        }
    }

    /** One submitted sequence and where it stands. */
    private static final class Entry<R> {

        final SequenceTask<R> task;
        final long need;
        SequenceHandle<R> handle;
        Sequence sequence;
        int[] prompt;
        /** Prompt tokens fed so far. */
        int promptFed;
        int nextToken;
        R outcome;
        RuntimeException failure;

        Entry(SequenceTask<R> task, long need) {
            this.task = task;
            this.need = need;
        }

        void join(BatchStep step) {
            sequence = step.newSequence(task.policy());
            prompt = task.prompt();
            task.admitted();
        }

        boolean prefilling() {
            return promptFed < prompt.length;
        }

        /** This step's tokens: the next chunk of the prompt (at most {@code prefillBudget}), or the last token. */
        BatchStep.Feed feed(int prefillBudget) {
            if (!prefilling()) {
                return new BatchStep.Feed(sequence, new int[] {nextToken}, BatchStep.Logits.LAST);
            }
            int chunk = Math.min(prompt.length - promptFed, prefillBudget);
            if (chunk == 0) {
                return null;
            }
            boolean last = promptFed + chunk == prompt.length;
            BatchStep.Logits logits = task.scoresPrompt() ? BatchStep.Logits.ALL
                    : last ? BatchStep.Logits.LAST : BatchStep.Logits.NONE;
            return new BatchStep.Feed(sequence, Arrays.copyOfRange(prompt, promptFed, promptFed + chunk), logits);
        }

        /**
         * Counts what {@code feed} fed; returns the logits [vocab] to pick the next token from, or null while the prompt
         * goes on. A prompt chunk of a task that scores its prompt came with every position's logits [T, vocab]: they
         * go to the task, and the last row, after the whole prompt, picks the token.
         */
        float[] fed(BatchStep.Feed feed, float[] logits, int vocab) {
            int from = promptFed;
            promptFed = Math.min(prompt.length, promptFed + feed.tokens().length);
            if (logits == null || feed.logits() != BatchStep.Logits.ALL) {
                return logits;
            }
            task.promptLogits(from, logits);
            return prefilling() ? null : Arrays.copyOfRange(logits, logits.length - vocab, logits.length);
        }

        /** The task picks the next token; returns true when it picked none or failed, so the sequence is done. */
        boolean accept(float[] logits) {
            try {
                int token = task.next(logits);
                if (token != SequenceTask.END) {
                    nextToken = token;
                    return false;
                }
                outcome = task.result(sequence);
            } catch (RuntimeException error) {
                failure = error;
            }
            return true;
        }

        void complete() {
            if (failure != null) {
                handle.fail(failure);
            } else {
                handle.complete(outcome);
            }
        }
    }
}
