package org.dcpserve.server.generate;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Generations from their submission until their request is answered (trace committed) or given up, so that a
 * graceful shutdown waits for the answers, not only for the step loop to run dry: a request whose sequence has
 * finished may still be committing its trace.
 */
final class InFlight {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition none = lock.newCondition();
    /** Guarded by {@code lock}. */
    private int count;

    /** One more in flight; the ticket's {@link Ticket#leave} (any number of calls) ends it. */
    Ticket enter() {
        lock.lock();
        try {
            count++;
        } finally {
            lock.unlock();
        }
        return new Ticket();
    }

    int count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until none is in flight; false when {@code timeout} passed first. */
    boolean awaitNone(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (count > 0) {
                if (left <= 0) {
                    return false;
                }
                left = none.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    final class Ticket {

        private final AtomicBoolean left = new AtomicBoolean();

        void leave() {
            if (left.compareAndSet(false, true)) {
                lock.lock();
                try {
                    if (--count == 0) {
                        none.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
    }
}
