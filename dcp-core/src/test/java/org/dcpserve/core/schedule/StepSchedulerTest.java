package org.dcpserve.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dcpserve.core.engine.ExecutionProvider;
import org.dcpserve.core.engine.OnnxTransformer;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.engine.Sequence;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.onnx.GraphSet;
import org.dcpserve.core.pruning.DensePolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's limits: a full queue refuses at once, cancelling frees the place, the KV budget holds; a failed
 * loop fails everything and refuses new work; a drain finishes what was submitted.
 */
class StepSchedulerTest {

    private static final ModelConfig CONFIG = RandomModels.gpt2Config();
    private static final int[] PROMPT = {5, 8, 13, 21};
    private static OnnxTransformer model;

    @BeforeAll
    static void load() {
        model = new OnnxTransformer(CONFIG, GraphSet.build(CONFIG, RandomModels.weights(CONFIG, 3)), ExecutionProvider.CPU);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aFullQueueRefusesAtOnceAndCancellingAWaitingRequestFreesItsPlace() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        try (StepScheduler scheduler = new StepScheduler(model, new SchedulerLimits(1, 2, Long.MAX_VALUE, 64))) {
            SequenceHandle<GreedyTask.Outcome> running = scheduler.submit(blocking(blocked, release));
            assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
            SequenceHandle<GreedyTask.Outcome> first = scheduler.submit(greedy(3));
            scheduler.submit(greedy(3));
            assertThat(scheduler.queued()).isEqualTo(2);

            long start = System.nanoTime();
            assertThatThrownBy(() -> scheduler.submit(greedy(3))).isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("2 requests are already waiting");
            assertThat(System.nanoTime() - start).as("refused without waiting").isLessThan(TimeUnit.SECONDS.toNanos(1));

            assertThat(first.cancel()).isTrue();
            assertThat(scheduler.queued()).as("a cancelled request leaves the queue at once").isEqualTo(1);
            SequenceHandle<GreedyTask.Outcome> late = scheduler.submit(greedy(3));
            assertThatThrownBy(() -> first.result().get()).isInstanceOf(CancellationException.class);

            release.countDown();
            assertThat(running.result().get(30, TimeUnit.SECONDS).tokens()).hasSize(4);
            assertThat(late.result().get(30, TimeUnit.SECONDS).tokens()).hasSize(3);
        }
    }

    @Test
    void cancellingARunningSequenceLetsTheNextOneJoin() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        try (StepScheduler scheduler = new StepScheduler(model, new SchedulerLimits(1, 4, Long.MAX_VALUE, 64))) {
            SequenceHandle<GreedyTask.Outcome> running = scheduler.submit(blocking(blocked, release));
            SequenceHandle<GreedyTask.Outcome> waiting = scheduler.submit(greedy(5));
            assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(scheduler.running()).isEqualTo(1);
            assertThat(running.cancel()).isTrue();
            release.countDown();
            assertThat(waiting.result().get(30, TimeUnit.SECONDS).tokens()).hasSize(5);
            assertThat(running.result()).isCancelled();
            assertThat(scheduler.running()).isZero();
            assertThat(scheduler.reservedKvBytes()).as("the cancelled sequence's budget was returned").isZero();
        }
    }

    @Test
    void runningSequencesNeverCommitMoreThanTheKvBudget() throws Exception {
        int newTokens = 6;
        // A shared pool's regions are whole grains of 16 slots, and admission expects as much: each of these
        // 10-token sequences counts 16 tokens' bytes.
        long perSequence = 16 * Sequence.bytesPerToken(CONFIG, DensePolicy.INSTANCE);
        long budget = perSequence * 5 / 2;
        AtomicInteger peak = new AtomicInteger();
        List<SequenceHandle<GreedyTask.Outcome>> handles = new ArrayList<>();
        try (StepScheduler scheduler = new StepScheduler(model, new SchedulerLimits(8, 16, budget, 64))) {
            for (int i = 0; i < 6; i++) {
                handles.add(scheduler.submit(new GreedyTask(PROMPT, newTokens, DensePolicy.INSTANCE, () -> {
                    peak.accumulateAndGet(scheduler.running(), Math::max);
                    assertThat(scheduler.reservedKvBytes()).isLessThanOrEqualTo(budget);
                })));
            }
            for (SequenceHandle<GreedyTask.Outcome> handle : handles) {
                assertThat(handle.result().get(30, TimeUnit.SECONDS).tokens()).hasSize(newTokens);
            }
            assertThat(peak.get()).as("two sequences fit the budget, a third does not").isEqualTo(2);
            assertThat(scheduler.preemptions()).as("dense sequences are never underestimated").isZero();
            assertThatThrownBy(() -> scheduler.submit(greedy(CONFIG.contextLength() - PROMPT.length)))
                    .isInstanceOf(KvBudgetExceededException.class).hasMessageContaining("budget is " + budget);
        }
    }

    @Test
    void closingCancelsWhatIsLeft() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        StepScheduler scheduler = new StepScheduler(model, new SchedulerLimits(1, 4, Long.MAX_VALUE, 64));
        SequenceHandle<GreedyTask.Outcome> running = scheduler.submit(blocking(blocked, release));
        SequenceHandle<GreedyTask.Outcome> waiting = scheduler.submit(greedy(5));
        assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
        Thread closer = Thread.ofPlatform().start(scheduler::close);
        while (closer.getState() != Thread.State.WAITING) {
            // close() marks the scheduler closed, then waits for the step thread held by the latch
            Thread.onSpinWait();
        }
        release.countDown();
        closer.join(30_000);
        assertThatThrownBy(() -> waiting.result().get()).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> running.result().get()).as("it left mid-generation").isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> scheduler.submit(greedy(1))).isInstanceOf(SchedulerUnavailableException.class);
        assertThat(scheduler.state()).isEqualTo(StepScheduler.State.CLOSED);
    }

    @Test
    void anErrorInAStepFailsWhatRunsAndWaitsAndRefusesNewWork() throws Exception {
        OutOfMemoryError injected = new OutOfMemoryError("Cannot reserve 4096 bytes of direct buffer memory (injected)");
        AtomicInteger steps = new AtomicInteger();
        CountDownLatch waitingSubmitted = new CountDownLatch(1);
        try (StepScheduler scheduler = new StepScheduler(model, new SchedulerLimits(1, 4, Long.MAX_VALUE, 64))) {
            // The task is the step's seam: its next() runs inside the step, as the sampler's new float[vocab] does.
            // It fails only once the second sequence is queued, else that one would be refused rather than failed.
            SequenceHandle<GreedyTask.Outcome> failing = scheduler.submit(new GreedyTask(PROMPT, 8, DensePolicy.INSTANCE,
                    () -> {
                        if (steps.incrementAndGet() == 3) {
                            awaitQuietly(waitingSubmitted);
                            throw injected;
                        }
                    }));
            SequenceHandle<GreedyTask.Outcome> waiting = scheduler.submit(greedy(3));   // batch of 1: it waits
            waitingSubmitted.countDown();
            for (SequenceHandle<GreedyTask.Outcome> handle : List.of(failing, waiting)) {
                assertThatThrownBy(() -> handle.result().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(SchedulerUnavailableException.class)
                        .hasMessageContaining("(OutOfMemoryError)").hasCause(injected);
            }
            assertThat(scheduler.state()).isEqualTo(StepScheduler.State.FAILED);
            assertThat(scheduler.failure()).isSameAs(injected);
            assertThatThrownBy(() -> scheduler.submit(greedy(3))).as("refused at once, not queued for a dead loop")
                    .isInstanceOf(SchedulerUnavailableException.class).hasMessageContaining("until the service is restarted");
        }
    }

    @Test
    void drainingRefusesNewWorkAndRunsWhatWasSubmittedToItsEndUntilResumed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        try (StepScheduler scheduler = new StepScheduler(model, new SchedulerLimits(1, 4, Long.MAX_VALUE, 64))) {
            SequenceHandle<GreedyTask.Outcome> running = scheduler.submit(blocking(blocked, release));
            SequenceHandle<GreedyTask.Outcome> waiting = scheduler.submit(greedy(5));
            assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
            scheduler.stopAccepting();
            assertThat(scheduler.state()).isEqualTo(StepScheduler.State.DRAINING);
            assertThatThrownBy(() -> scheduler.submit(greedy(1))).isInstanceOf(SchedulerUnavailableException.class)
                    .hasMessageContaining("shutting down");
            release.countDown();
            assertThat(running.result().get(30, TimeUnit.SECONDS).tokens()).hasSize(4);
            assertThat(waiting.result().get(30, TimeUnit.SECONDS).tokens()).as("queued before the drain: it runs")
                    .hasSize(5);
            scheduler.resumeAccepting();
            assertThat(scheduler.submit(greedy(2)).result().get(30, TimeUnit.SECONDS).tokens()).hasSize(2);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static GreedyTask greedy(int newTokens) {
        return new GreedyTask(PROMPT, newTokens, DensePolicy.INSTANCE);
    }

    /** Holds the step thread at its first token until released, so the test controls what waits. */
    private static GreedyTask blocking(CountDownLatch blocked, CountDownLatch release) {
        return new GreedyTask(PROMPT, 4, DensePolicy.INSTANCE, () -> {
            blocked.countDown();
            try {
                assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
