package org.dcpserve.server.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.dcpserve.core.generate.GeneratedToken;
import org.dcpserve.core.generate.TokenListener;
import org.dcpserve.server.generate.GenerationService.PreparedGeneration;

/**
 * A submitted generation whose tokens the scheduler's step thread hands over to the thread that writes them to
 * a client. The step thread only enqueues, so a slow client delays itself, never the batch; the writer takes
 * every token that is waiting at once, so it writes and flushes once per wake-up, not once per token.
 */
public final class TokenRelay {

    /**
     * A generated token and the text it completed (empty while a stop string or a character is incomplete).
     *
     * @param last nothing follows it: the generation's result is on its way
     */
    public record Item(GeneratedToken token, String delta, boolean last) {
    }

    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final GenerationService.Running running;
    private boolean ended;

    private TokenRelay(GenerationService service, PreparedGeneration prepared) {
        running = service.submit(prepared, new TokenListener() {
            @Override
            public void onToken(GeneratedToken token, String delta) {
                queue.add(new Item(token, delta, false));
            }

            @Override
            public void onLastToken(GeneratedToken token, String delta) {
                queue.add(new Item(token, delta, true));
            }
        });
        running.result().whenComplete((generation, error) -> queue.add(END));
    }

    /**
     * Queues the generation; never waits.
     *
     * @throws org.dcpserve.core.schedule.QueueFullException when the scheduler's queue is full (429)
     */
    public static TokenRelay submit(GenerationService service, PreparedGeneration prepared) {
        return new TokenRelay(service, prepared);
    }

    /**
     * Waits for tokens and returns every one that is waiting (at least one); empty once the generation ended.
     *
     * @throws GenerationTimeoutException past dcp.generation-timeout (the generation is cancelled)
     */
    public List<Item> next() throws InterruptedException {
        List<Item> out = new ArrayList<>();
        List<Object> ready = new ArrayList<>();
        while (!ended && out.isEmpty()) {
            Object first = queue.poll(Math.max(0, running.nanosLeft()), TimeUnit.NANOSECONDS);
            if (first == null) {
                throw running.timedOut();
            }
            ready.add(first);
            queue.drainTo(ready);
            for (Object item : ready) {
                if (item == END) {
                    ended = true;
                } else {
                    out.add((Item) item);
                }
            }
            ready.clear();
        }
        return out;
    }

    /** The generation, for {@link GenerationService#finish}. */
    public GenerationService.Running running() {
        return running;
    }

    /** Takes the generation out of the queue or the batch: its client is gone. */
    public void cancel() {
        running.cancel();
    }
}
