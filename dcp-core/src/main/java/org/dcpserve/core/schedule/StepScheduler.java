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
 */
public final class StepScheduler implements AutoCloseable {

    private final OnnxTransformer model;
    private final ModelConfig config;
    private final SchedulerLimits limits;
    private final BatchStep step;
    private final Thread loop;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    /** Guarded by {@code lock}. */
    private final ArrayDeque<Entry<?>> waiting = new ArrayDeque<>();
    /** Guarded by {@code lock}. */
    private boolean closed;

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
     * context, {@link IllegalArgumentException} when its policy needs gates the model lacks.
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
            if (closed) {
                throw new IllegalStateException("the scheduler is closed");
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
        try {
            while (admit()) {
                runStep();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            List<Entry<?>> left = new ArrayList<>(running);
            lock.lock();
            try {
                left.addAll(waiting);
                waiting.clear();
            } finally {
                lock.unlock();
            }
            left.forEach(entry -> entry.handle.fail(new CancellationException("the scheduler was closed")));
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
        long tokens = 0;
        List<Entry<?>> finished = new ArrayList<>();
        for (int i = 0; i < fed.size(); i++) {
            Entry<?> entry = fed.get(i);
            entry.fed(feeds.get(i).tokens().length);
            if (logits.get(i) != null && !entry.handle.isDone() && entry.takesLogits()) {
                tokens++;
                if (entry.accept(logits.get(i))) {
                    finished.add(entry);
                }
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
            return new BatchStep.Feed(sequence, Arrays.copyOfRange(prompt, promptFed, promptFed + chunk),
                    last ? BatchStep.Logits.LAST : BatchStep.Logits.NONE);
        }

        void fed(int count) {
            if (prefilling()) {
                promptFed = Math.min(prompt.length, promptFed + count);
                return;
            }
            if (replayed == generatedCount) {
                if (generatedCount == generated.length) {
                    generated = Arrays.copyOf(generated, 2 * generatedCount);
                }
                generated[generatedCount++] = nextToken;
            }
            replayed++;
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
