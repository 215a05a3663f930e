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
import org.dcpserve.core.engine.KvLayout;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.model.ModelConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.dcpserve.core.pruning.DensePolicy;

/**
 * Continuous batching: one thread runs forward steps over all running sequences together, one
 * {@link BatchStep} per iteration. Between steps, finished and cancelled sequences leave and free their
 * cache budget, and waiting ones join in arrival order while the batch and the KV budget have room. A
 * joining sequence's prompt is fed in chunks that share {@link SchedulerLimits#prefillChunk} tokens per
 * step, alongside the running sequences' single decode tokens, so a long prompt never stalls them for long.
 *
 * <p>The KV budget counts the bytes the caches really allocate. A waiting sequence joins while the running
 * ones' expected bytes ({@link KvBudget}: a pruned sequence by the share pruned ones keep) and its own fit.
 * When at a step boundary the caches allocate more than the budget, the latest joined sequences are
 * preempted until they fit: a preempted sequence's caches are dropped and it goes back to the head of the
 * queue; when it joins again its prompt and the tokens it had generated are fed again, each in a step of
 * its own as the first time, so its caches, drops and logits are what they were, and only then is it fed
 * its next token. It never fails for lack of memory. The budget can be passed by one step's growth.
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
    private volatile long allocatedBytes;
    private volatile long committedBytes;
    private volatile long preemptions;
    private final KvBudget budget;
    private volatile long generatedTokens;
    private volatile long steps;

    /** A scheduler whose caches take the layout measured best for the model ({@link KvLayout#forModel}). */
    public StepScheduler(OnnxTransformer model, SchedulerLimits limits) {
        this(model, limits, KvLayout.forModel(model.config()));
    }

    public StepScheduler(OnnxTransformer model, SchedulerLimits limits, KvLayout layout) {
        this.model = model;
        this.config = model.config();
        this.limits = limits;
        this.step = new BatchStep(model, layout);
        this.budget = new KvBudget(limits.maxKvBytes());
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
        Entry<R> entry = new Entry<>(task, need, !(task.policy() instanceof DensePolicy));
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

    /**
     * KV bytes admission counted for the running sequences at the last step boundary: each one's expected
     * bytes or what it allocated, whichever is more.
     */
    public long reservedKvBytes() {
        return committedBytes;
    }

    /** KV bytes the running sequences' caches allocated after the last step (padding and growth room included). */
    public long allocatedKvBytes() {
        return allocatedBytes;
    }

    /** Sequences preempted so far (caches dropped for lack of KV memory, fed again later). */
    public long preemptions() {
        return preemptions;
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
            committedBytes = committed();
            while (!closed && running.isEmpty() && waiting.isEmpty()) {
                work.await();
            }
            if (closed) {
                return false;
            }
            preemptOverBudget();
            long committed = committed();
            while (running.size() < limits.maxBatch() && !waiting.isEmpty()
                    && (running.isEmpty() || committed + waiting.peek().expected(budget) <= budget.maxBytes())) {
                Entry<?> entry = waiting.poll();
                committed += entry.expected(budget);
                running.add(entry);
                entry.join(step);
            }
            committedBytes = committed;
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
            // A preempted sequence fed again gets the logits it had already picked from: they are not new to its task.
            if (rows[i] != null && !entry.handle.isDone() && entry.takesLogits()) {
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
        measureKv();
        generatedTokens += tokens;
        steps++;
    }

    /** Held and allocated bytes after a step, and the share of a dense cache the pruned sequences keep. */
    private void measureKv() {
        long held = 0;
        long allocated = step.spareBytes();
        long prunedHeld = 0;
        long prunedDense = 0;
        for (Entry<?> entry : running) {
            Sequence sequence = entry.sequence;
            held += sequence.heldBytes();
            allocated += sequence.allocatedBytes();
            if (entry.pruned && KvBudget.measured(sequence.length())) {
                prunedHeld += sequence.heldBytes();
                prunedDense += sequence.length() * Sequence.bytesPerToken(config, entry.task.policy());
            }
        }
        budget.observe(prunedHeld, prunedDense);
        heldBytes = held;
        allocatedBytes = allocated;
    }

    /**
     * At a step boundary, under the lock: while the caches allocate more than the budget, the latest
     * joined sequence leaves the batch, its caches dropped, for the head of the queue (never the last one
     * running: alone it fits, or it would have been refused).
     */
    private void preemptOverBudget() {
        long allocated = 0;
        for (Entry<?> entry : running) {
            allocated += entry.sequence.allocatedBytes();
        }
        while (allocated > budget.maxBytes() && running.size() > 1) {
            Entry<?> victim = running.remove(running.size() - 1);
            allocated -= victim.sequence.allocatedBytes();
            victim.preempt();
            waiting.addFirst(victim);
            preemptions++;
        }
        allocatedBytes = allocated + step.spareBytes();
    }

    /** Bytes admission counts for the running sequences: each one's expected bytes or its allocated ones. */
    private long committed() {
        long committed = 0;
        for (Entry<?> entry : running) {
            committed += Math.max(entry.expected(budget), entry.sequence.allocatedBytes());
        }
        return committed;
    }

    private void leave(List<Entry<?>> entries) {
        lock.lock();
        try {
            for (Entry<?> entry : entries) {
                running.remove(entry);
                entry.sequence.release();
            }
            runningCount = running.size();
            committedBytes = committed();
        } finally {
            lock.unlock();
        }
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
        /** Dense worst case of its cache: prompt and every new token. */
        final long need;
        final boolean pruned;
        SequenceHandle<R> handle;
        Sequence sequence;
        int[] prompt;
        /** Prompt tokens fed so far. */
        int promptFed;
        int nextToken;
        /** Tokens fed after the prompt, in order: what a preempted sequence is fed again. */
        int[] generated = new int[16];
        int generatedCount;
        /** Of {@code generated}, how many the current sequence was fed. */
        int replayed;
        /** The sequence's length when the task last took logits (-1: never): logits up to it are replayed ones. */
        int takenAt = -1;
        /** Bytes it had allocated when it was last preempted. */
        long allocatedWhenPreempted;
        R outcome;
        RuntimeException failure;

        Entry(SequenceTask<R> task, long need, boolean pruned) {
            this.task = task;
            this.need = need;
            this.pruned = pruned;
        }

        long expected(KvBudget budget) {
            return Math.max(budget.expected(task.maxLength(), need / task.maxLength(), pruned), allocatedWhenPreempted);
        }

        void join(BatchStep step) {
            sequence = step.newSequence(task.policy());
            if (prompt == null) {
                prompt = task.prompt();
                task.admitted();
            }
        }

        /** Drops the caches; the next {@link #join} feeds the prompt and the generated tokens again. */
        void preempt() {
            allocatedWhenPreempted = (long) Math.ceil(sequence.allocatedBytes() * KvBudget.ALLOCATION_SLACK);
            sequence.release();
            sequence = null;
            promptFed = 0;
            replayed = 0;
        }

        /** Whether the logits of the step just fed are new to the task (not those of a token fed again). */
        boolean takesLogits() {
            if (sequence.length() <= takenAt) {
                return false;
            }
            takenAt = sequence.length();
            return true;
        }

        boolean prefilling() {
            return promptFed < prompt.length;
        }

        /** This step's tokens: the next chunk of the prompt (at most {@code prefillBudget}), or the last token. */
        BatchStep.Feed feed(int prefillBudget) {
            if (!prefilling()) {
                int token = replayed < generatedCount ? generated[replayed] : nextToken;
                return new BatchStep.Feed(sequence, new int[] {token}, BatchStep.Logits.LAST);
            }
            int chunk = Math.min(prompt.length - promptFed, prefillBudget);
            if (chunk == 0) {
                return null;
            }
            boolean last = promptFed + chunk == prompt.length;
            // Scored on the first pass only (takenAt < 0: no token picked yet), not when fed again after preemption.
            BatchStep.Logits logits = task.scoresPrompt() && takenAt < 0 ? BatchStep.Logits.ALL
                    : last ? BatchStep.Logits.LAST : BatchStep.Logits.NONE;
            return new BatchStep.Feed(sequence, Arrays.copyOfRange(prompt, promptFed, promptFed + chunk), logits);
        }

        /**
         * Counts what {@code feed} fed; returns the logits [vocab] to pick the next token from, or null while the prompt
         * goes on. A prompt chunk of a task that scores its prompt came with every position's logits [T, vocab]: they
         * go to the task, and the last row, after the whole prompt, picks the token. A token fed after the prompt is
         * remembered, so that a preempted sequence can be fed it again.
         */
        float[] fed(BatchStep.Feed feed, float[] logits, int vocab) {
            if (prefilling()) {
                int from = promptFed;
                promptFed = Math.min(prompt.length, promptFed + feed.tokens().length);
                if (logits == null || feed.logits() != BatchStep.Logits.ALL) {
                    return logits;
                }
                task.promptLogits(from, logits);
                return prefilling() ? null : Arrays.copyOfRange(logits, logits.length - vocab, logits.length);
            }
            if (replayed == generatedCount) {
                if (generatedCount == generated.length) {
                    generated = Arrays.copyOf(generated, 2 * generatedCount);
                }
                generated[generatedCount++] = nextToken;
            }
            replayed++;
            return logits;
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
