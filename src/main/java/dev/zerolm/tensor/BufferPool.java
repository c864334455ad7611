package dev.zerolm.tensor;

import dev.zerolm.autograd.GradMode;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Recycled float arrays, so that big temporaries stop being garbage the JVM must zero and collect: the gradients
 * that flow through a backward pass, and the activations of a forward pass run without grad.
 *
 * <p>Backward rules take their output arrays here ({@link #take}); the autograd engine hands an array back
 * ({@link #give}) once the last pending gradient that uses it has been consumed, and the next rule (or the next
 * step's) that needs an array of that length gets it again, already in cache and without the JVM zeroing a fresh
 * one. In a no-grad forward pass, ops that write every element of their result take it with {@link #forOutput},
 * and the modules that know a temporary is dead (a block's normalised input once its sublayer has run, an MLP's
 * hidden layer once projected back) hand it back with {@link #recycle}. With grad on, and inside backward,
 * both are plain allocation and a no-op, since backward may still need any activation. (GPT-2 124M's no-grad
 * forward made about 70 MB of fresh arrays per block, zeroed by the allocating thread while the other workers
 * waited; recycling them made the pass 9% faster.)
 *
 * <p>A training loop recycles the activations of its graph with {@link #trainingPass}: inside it, the ops of a
 * forward pass that records a graph take their results from the pool too, and all of them go back when the pass
 * closes, after backward, when the graph is dead.
 *
 * <p>Only arrays minted here are ever recycled: user tensors and parameters never are, and a parameter's
 * {@code .grad} only when the engine made it from a pooled array and the training loop hands it back after the
 * optimizer step ({@link #reclaim}). A taken array holds old values: the op must write every element. An array is
 * handed back at most once however often it is given.
 *
 * <p>How much it keeps: once a training pass has closed, one and a half times what the largest pass took from it
 * (that pass's activations and gradients, over-counted: an array taken twice counts twice), and never more than
 * three quarters of the maximum heap; before that, the three quarters. A training step needs the same lengths every
 * time (GPT-2 124M: 420 MB of gradients in the pool, and its activations in a training pass), so they all fit. When
 * shapes keep changing (variable-length fine-tuning batches), arrays of the lengths least recently asked for go
 * first: the pool holds about two steps' worth of the current lengths instead of filling the heap with stale ones
 * (full fine-tuning of a 2M-weight BERT on 4,000 Brown sentences peaked at 6.3 GB resident with the default 6 GB
 * heap when the pool could fill three quarters of it; 3.6-4.0 GB now, no slower). Free arrays are held softly: the
 * collector reclaims them rather than run out of memory.
 */
public final class BufferPool {

    /**
     * At most this many floats wait in the pool: three quarters of the maximum heap, room for a training step's
     * activations even in a heap sized to the step (model B of the bench needs 433 MiB in a 1 GiB heap). Free arrays
     * are held softly, so the collector takes them back before the heap runs out.
     */
    private static long capacityFloats = Runtime.getRuntime().maxMemory() / 4 * 3 / Float.BYTES;
    /** The most floats one outermost training pass took from the pool; 0 until a pass has closed. */
    private static long largestPassFloats;

    /** Free arrays by length, the length least recently taken or given first: when the pool is full, it goes first. */
    private static final Map<Integer, ArrayDeque<SoftReference<float[]>>> FREE = new LinkedHashMap<>(16, 0.75f, true);
    /**
     * Every array minted here and not dropped from the pool: the only ones {@link #give} takes back. Weak (arrays
     * hash by identity), so an array that is never given back, e.g. after backward with retainGraph, is not leaked.
     */
    private static final Set<float[]> MINTED = Collections.newSetFromMap(new WeakHashMap<>());
    /** The arrays now in FREE: a second give of one must not hand it to two takers. Weak, as FREE holds them softly. */
    private static final Set<float[]> FREE_ARRAYS = Collections.newSetFromMap(new WeakHashMap<>());
    /** Arrays that left the pool as a parameter's .grad ({@link #disown}): the only ones {@link #reclaim} takes. */
    private static final Set<float[]> ADOPTED = Collections.newSetFromMap(new WeakHashMap<>());
    /** Floats of the arrays in FREE, counting any the collector has already taken until they are polled. */
    private static long pooledFloats;
    /** This thread's open {@link #trainingPass}: the activations it handed out, or null outside one. */
    private static final ThreadLocal<TrainingPass> PASS = new ThreadLocal<>();

    private BufferPool() {}

    /** An array of n floats with unspecified contents, recycled when one is free. */
    public static synchronized float[] take(int n) {
        TrainingPass pass = PASS.get();
        if (pass != null) pass.outermost.taken += n;
        ArrayDeque<SoftReference<float[]>> free = FREE.get(n);
        while (free != null && !free.isEmpty()) {
            float[] a = free.pollFirst().get();
            pooledFloats -= n;
            if (a != null) {
                FREE_ARRAYS.remove(a);
                return a;
            }
        }
        float[] a = new float[n];
        MINTED.add(a);
        return a;
    }

    /** Whether a is an array minted by {@link #take} (so the engine may give it back when it is dead). */
    public static synchronized boolean isRecyclable(float[] a) {
        return a != null && MINTED.contains(a);
    }

    /** Returns a dead array minted by {@link #take}; anything else is ignored. */
    public static synchronized void give(float[] a) {
        if (a == null || !MINTED.contains(a) || FREE_ARRAYS.contains(a)) return;
        long budget = budgetFloats();
        if (a.length > budget) {
            MINTED.remove(a);                                   // too big to keep: let the collector have it
            return;
        }
        if (pooledFloats + a.length > budget) evictDownTo(budget - a.length);
        FREE.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addFirst(new SoftReference<>(a));
        FREE_ARRAYS.add(a);
        pooledFloats += a.length;
    }

    /** How many floats the pool keeps at most now (see the class comment). */
    private static long budgetFloats() {
        if (largestPassFloats == 0) return capacityFloats;
        return Math.min(capacityFloats, Math.max(capacityFloats / 16, largestPassFloats + largestPassFloats / 2));
    }

    /** Drops free arrays, those of the least recently used length first, until at most limit floats are left. */
    private static void evictDownTo(long limit) {
        var lengths = FREE.entrySet().iterator();
        while (pooledFloats > limit && lengths.hasNext()) {
            var entry = lengths.next();
            ArrayDeque<SoftReference<float[]>> free = entry.getValue();
            while (pooledFloats > limit && !free.isEmpty()) {
                float[] a = free.pollLast().get();          // the array given back longest ago
                pooledFloats -= entry.getKey();             // counted until polled, even if the collector took it
                if (a != null) {
                    FREE_ARRAYS.remove(a);
                    MINTED.remove(a);
                }
            }
            if (free.isEmpty()) lengths.remove();
        }
    }

    /**
     * The array for an op's result of n floats, when the op writes every element of it: in a no-grad forward pass
     * ({@link GradMode#isNoGradForward}), one from the pool (see {@link #recycle}); otherwise a new one (with grad
     * on, backward may keep it; inside backward, rules and optimiser hooks may keep what their ops make).
     */
    public static float[] forOutput(int n) {
        if (GradMode.isNoGradForward()) return take(n);
        TrainingPass pass = PASS.get();
        if (pass != null && (GradMode.isRecordingForward() || pass.insideBackward && GradMode.isEnabled())) {
            float[] a = take(n);
            pass.handedOut.add(a);
            return a;
        }
        return new float[n];
    }

    /**
     * Opens a forward and backward pass whose activations come from the pool and all go back at close:
     * {@code try (var pass = BufferPool.trainingPass()) { loss = model.loss(x, y); l = loss.item(); loss.backward(); }}.
     * The caller vouches that nothing reads a tensor the forward pass made once the pass is closed (the loss is read
     * before). Backward rules, no-grad work and anything outside the pass allocate as before. Passes nest.
     */
    public static TrainingPass trainingPass() {
        return open(false);
    }

    /**
     * A training pass for a forward pass re-run inside backward with grad on (activation checkpointing) and the
     * backward through it: what the re-run records goes back when that inner backward is done.
     */
    public static TrainingPass recomputePass() {
        return open(true);
    }

    private static TrainingPass open(boolean insideBackward) {
        TrainingPass pass = new TrainingPass(PASS.get(), insideBackward);
        PASS.set(pass);
        return pass;
    }

    /** An open {@link #trainingPass}; closing it returns every activation it handed out. */
    public static final class TrainingPass implements AutoCloseable {
        private final TrainingPass outer;
        /** The pass that is not nested in another: it counts what they all take. */
        private final TrainingPass outermost;
        private final boolean insideBackward;
        /** Floats taken from the pool while this pass was open (counted on the outermost pass only). */
        private long taken;
        private final List<float[]> handedOut = new ArrayList<>();
        private boolean closed;

        private TrainingPass(TrainingPass outer, boolean insideBackward) {
            this.outer = outer;
            this.outermost = outer == null ? this : outer.outermost;
            this.insideBackward = insideBackward;
        }

        /** Activations handed out so far (tests). */
        public int handedOut() {
            return handedOut.size();
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            if (PASS.get() == this) PASS.set(outer);
            if (outermost == this) passClosed(taken);             // before the arrays come back: the budget covers them
            for (float[] a : handedOut) give(a);
            handedOut.clear();
        }
    }

    /**
     * Hands back the arrays of temporaries a no-grad forward pass is done with. The caller vouches that nothing
     * still reads them: no view of them, no other tensor on the same array, nothing they were stored into. Only a
     * tensor that spans the whole of an array minted here counts; anything else, and every call outside a no-grad
     * forward pass, is ignored (backward may need them).
     */
    public static void recycle(Tensor... dead) {
        if (!GradMode.isNoGradForward()) return;
        for (Tensor t : dead) {
            if (t == null) continue;
            float[] a = t.storage().heapArray();
            if (a != null && t.offset() == 0 && t.numel() == a.length && t.isContiguous()) give(a);
        }
    }

    /**
     * Takes a minted array out of the pool's care (it became a parameter's .grad): never recycled, unless whoever
     * owns the training step hands it back with {@link #reclaim} once the optimiser has applied it.
     */
    public static synchronized void disown(float[] a) {
        MINTED.remove(a);
        ADOPTED.add(a);
    }

    /** Takes back a parameter gradient's array that {@link #disown} let go, now dead; any other array is ignored. */
    public static synchronized void reclaim(float[] a) {
        if (a == null || !ADOPTED.remove(a)) return;
        MINTED.add(a);
        give(a);
    }

    /**
     * Hands an array that {@link #disown} let go back to the engine's care while it is still in use: an inner
     * backward's leaf gradient (a checkpointed block's input) passed on to the outer backward, which gives it back to
     * the pool once dead. Any other array is ignored.
     */
    public static synchronized void remint(float[] a) {
        if (a != null && ADOPTED.remove(a)) MINTED.add(a);
    }

    private static synchronized void passClosed(long takenFloats) {
        largestPassFloats = Math.max(largestPassFloats, takenFloats);
    }

    /** Tests: a pool of another capacity, with no training pass seen yet; returns the old capacity. */
    static synchronized long capacityFloats(long floats) {
        long old = capacityFloats;
        capacityFloats = floats;
        largestPassFloats = 0;
        clear();
        return old;
    }

    /** Floats currently free in the pool (tests, diagnostics). */
    public static synchronized long pooledFloats() {
        return pooledFloats;
    }

    /** Drops every free array (tests; a program switching to a different model). */
    public static synchronized void clear() {
        for (ArrayDeque<SoftReference<float[]>> q : FREE.values()) {
            for (SoftReference<float[]> r : q) {
                float[] a = r.get();
                if (a != null) MINTED.remove(a);
            }
        }
        FREE.clear();
        FREE_ARRAYS.clear();
        pooledFloats = 0;
    }
}
