package dev.zerolm.serve;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.nn.KVCache;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Generates the choices of concurrent requests to one model together: every step, one
 * {@link dev.zerolm.models.CausalLM#decodeStep} advances every running choice by a token, so the weights are read
 * once per step for all of them instead of once per request.
 *
 * <pre>
 *   worker thread (one per request)              batcher thread (one per model)
 *     prompt -> KV cache, first token              loop: take waiting choices (up to maxRows running)
 *     hand its choices over  ─────────────────▶          logits (R, V) = decodeStep(tokens, caches, positions)
 *     write each token's text to the client ◀──          sample each row; finished choices leave
 *     stop it when cancelled (client gone, timeout)
 * </pre>
 * Text goes back through a queue, so a slow client never holds up the other requests' steps.
 */
public final class DecodeBatcher implements AutoCloseable {

    private final LanguageModel model;
    private final int maxRows;
    private final BlockingQueue<Sequence> waiting = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile int running;

    /** maxRows: the most choices one step advances; more wait their turn. */
    public DecodeBatcher(LanguageModel model, int maxRows) {
        if (maxRows < 1) throw new IllegalArgumentException("DecodeBatcher: maxRows must be >= 1, got " + maxRows);
        this.model = model;
        this.maxRows = maxRows;
        this.thread = new Thread(this::loop, "zerolm-batcher-" + model.name());
        thread.setDaemon(true);
        thread.start();
    }

    /** Choices advanced by the latest step. */
    public int running() {
        return running;
    }

    /** A request's choices in flight: the text they produce, in order, and a flag that drops them all. */
    private static final class Request {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final AtomicBoolean cancelled = new AtomicBoolean();
    }

    /** Text for a choice, the end of a choice, or a failure of the step it was in. */
    private record Event(int choice, String text, boolean ended, RuntimeException error) {}

    /** One choice on the batcher: its cache holds every token before position; token is the one to feed there. */
    private static final class Sequence {
        final Request request;
        final ChoiceRun run;
        final KVCache cache;
        int position, token;

        Sequence(Request request, ChoiceRun run, KVCache cache, int position, int token) {
            this.request = request;
            this.run = run;
            this.cache = cache;
            this.position = position;
            this.token = token;
        }
    }

    /**
     * Generates p's choices, the prompt on the calling thread and every later token on the batcher. Returns when all
     * have ended; throws CancellationException once cancelled says so, and rethrows what the listener throws (a
     * client gone), dropping the request's choices either way.
     */
    public List<LanguageModel.Choice> generate(LanguageModel.Params p, LanguageModel.TokenListener listener,
                                               BooleanSupplier cancelled) throws InterruptedException {
        model.requireFits(p);
        if (closed) throw new IllegalStateException("DecodeBatcher for " + model.name() + " is closed");
        int n = p.n(), P = p.promptIds().length;
        ChoiceRun[] runs = new ChoiceRun[n];
        for (int b = 0; b < n; b++) runs[b] = new ChoiceRun(model, p, b);
        Request request = new Request();
        List<Sequence> handOver = new ArrayList<>(n);
        try (var ignored = GradMode.noGrad()) {
            if (cancelled.getAsBoolean()) throw new CancellationException("cancelled before the prompt was read");
            KVCache cache = model.model().newKVCache(1);                 // the prompt is read once for all n choices
            Tensor logits = model.model().forward(IntTensor.of(p.promptIds().clone(), 1, P), cache, 0);     // (1, P, V)
            float[] last = LanguageModel.lastRow(logits, 0);
            KVCache[] caches = new KVCache[n];
            for (int b = 0; b < n; b++) caches[b] = b == 0 ? cache : cache.copy();
            for (int b = 0; b < n; b++) {
                int token = runs[b].step(last, listener);
                if (token >= 0) handOver.add(new Sequence(request, runs[b], caches[b], P, token));
            }
        }
        int open = handOver.size();
        waiting.addAll(handOver);
        try {
            while (open > 0) {
                if (cancelled.getAsBoolean()) throw new CancellationException("cancelled while generating");
                Event e = request.events.poll(20, TimeUnit.MILLISECONDS);
                if (e == null) {
                    if (closed) throw new CancellationException("the server stopped generating");
                    continue;
                }
                if (e.error() != null) throw e.error();
                if (!e.ended()) listener.onToken(e.choice(), e.text());
                if (e.ended()) open--;
            }
        } finally {
            if (open > 0) request.cancelled.set(true);                 // the batcher drops the rest at its next step
        }
        List<LanguageModel.Choice> out = new ArrayList<>(n);
        for (ChoiceRun run : runs) out.add(run.result());
        return out;
    }

    private void loop() {
        List<Sequence> active = new ArrayList<>();
        try {
            while (!closed) {
                if (active.isEmpty()) {
                    Sequence first = waiting.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) continue;
                    active.add(first);
                }
                waiting.drainTo(active, maxRows - active.size());
                active.removeIf(s -> s.request.cancelled.get());
                if (!active.isEmpty()) {
                    running = active.size();
                    step(active);
                }
                running = active.size();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = 0;
        for (Sequence s : active) s.request.events.add(new Event(s.run.index(), "", true, new CancellationException("the server stopped")));
    }

    /** One token for every active choice; the ones that end leave the list. */
    private void step(List<Sequence> active) {
        int R = active.size();
        int[] tokens = new int[R], positions = new int[R];
        KVCache[] caches = new KVCache[R];
        for (int r = 0; r < R; r++) {
            Sequence s = active.get(r);
            tokens[r] = s.token;
            positions[r] = s.position;
            caches[r] = s.cache;
        }
        float[] logits;
        try (var ignored = GradMode.noGrad()) {
            logits = model.model().decodeStep(tokens, caches, positions).contiguous().toArray();     // (R, V)
        } catch (RuntimeException e) {
            for (Sequence s : active) s.request.events.add(new Event(s.run.index(), "", true, e));
            active.clear();
            return;
        }
        int V = logits.length / R;
        List<Sequence> still = new ArrayList<>(R);
        for (int r = 0; r < R; r++) {
            Sequence s = active.get(r);
            float[] row = Arrays.copyOfRange(logits, r * V, (r + 1) * V);
            int next;
            try {
                next = s.run.step(row, (choice, text) -> s.request.events.add(new Event(choice, text, false, null)));
            } catch (RuntimeException e) {                              // e.g. a tokenizer that cannot decode: this choice only
                s.request.events.add(new Event(s.run.index(), "", true, e));
                continue;
            }
            if (next < 0) {
                s.request.events.add(new Event(s.run.index(), "", true, null));
            } else {
                s.token = next;
                s.position++;
                still.add(s);
            }
        }
        active.clear();
        active.addAll(still);
    }

    /** Stops the batcher; choices still running end with a cancellation. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
