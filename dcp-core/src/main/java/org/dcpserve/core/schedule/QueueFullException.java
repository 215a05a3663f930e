package org.dcpserve.core.schedule;

/** The scheduler's queue is full: the request was refused at once, without waiting (HTTP 429). */
public final class QueueFullException extends RuntimeException {

    public QueueFullException(int maxQueued) {
        super("the server is busy: " + maxQueued + " requests are already waiting; try again later");
    }
}
