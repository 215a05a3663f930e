package org.dcpserve.core.schedule;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Runs a batch step's per-sequence token picks (sampling, log-probabilities, streamed text) side by side. Between
 * two steps ONNX Runtime's intra-op threads have nothing to do, so the cores they use are free for the picks: the
 * calling thread takes picks itself, helper threads the others. At a 152k vocabulary a pick is about a millisecond
 * of Java, sixteen of them a step's worth on one core.
 *
 * <p>Each index runs once, on one thread; {@link #forEach} returns when every started pick has ended, and what the
 * picks wrote is visible to the caller then. A pick that throws stops picks from starting (as a loop would); the
 * first throwable is rethrown on the calling thread as it was thrown, so an Error still ends a step loop.
 */
public final class PickThreads implements AutoCloseable {

    private final int helpers;
    /** Null without helpers. */
    private final ExecutorService pool;

    /** @param threads how many threads pick at once, the caller's included (1: the caller alone) */
    public PickThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("at least one thread picks, not " + threads);
        }
        this.helpers = threads - 1;
        AtomicInteger named = new AtomicInteger();
        this.pool = helpers == 0 ? null : Executors.newFixedThreadPool(helpers,
                task -> Thread.ofPlatform().name("dcp-pick-" + named.incrementAndGet()).daemon().unstarted(task));
    }

    /** As many threads as the machine has cores. */
    public static PickThreads perCore() {
        return new PickThreads(Runtime.getRuntime().availableProcessors());
    }

    /** Runs {@code pick} for every index in [0, count) and returns when all have run. */
    public void forEach(int count, IntConsumer pick) {
        int used = Math.min(helpers, count - 1);
        if (used <= 0) {
            for (int i = 0; i < count; i++) {
                pick.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch helpersDone = new CountDownLatch(used);
        Runnable worker = () -> {
            int i;
            while (failure.get() == null && (i = next.getAndIncrement()) < count) {
                try {
                    pick.accept(i);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }
        };
        for (int h = 0; h < used; h++) {
            pool.execute(() -> {
                try {
                    worker.run();
                } finally {
                    helpersDone.countDown();
                }
            });
        }
        worker.run();
        awaitUninterruptibly(helpersDone);
        Throwable first = failure.get();
        if (first instanceof RuntimeException e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
        if (first != null) {
            // An IntConsumer throws no checked exception, but Java's type system cannot tell.
            throw new IllegalStateException(first);
        }
    }

    /** The picks write state the caller reads next: it must not go on before they ended, interrupted or not. */
    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
