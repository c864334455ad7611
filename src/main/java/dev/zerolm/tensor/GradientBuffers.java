package dev.zerolm.tensor;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Recycled arrays for the gradients that flow through a backward pass. Backward rules take their output arrays
 * here ({@link #take}); the autograd engine hands an array back ({@link #give}) once the last pending gradient
 * that uses it has been consumed, and the next rule (or the next step's) that needs an array of that length gets
 * it again, already in cache and without the JVM zeroing a fresh one. So a training step's gradient temporaries
 * stop being garbage after the first step.
 *
 * <p>Only arrays minted here are ever recycled: forward activations, user tensors and parameter gradients
 * ({@code .grad}, always a copy) never are. A taken array holds old values: the rule must write every element.
 * The pool keeps at most a quarter of the maximum heap. A training step needs the same lengths every time (GPT-2
 * 124M: 420 MB in the pool); when shapes keep changing (variable-length fine-tuning batches) and the pool fills
 * with lengths nobody asks for any more, it is emptied and refills with the current ones.
 */
public final class GradientBuffers {

    /** At most this many floats wait in the pool: a quarter of the maximum heap. */
    private static long capacityFloats = Runtime.getRuntime().maxMemory() / 4 / Float.BYTES;

    private static final Map<Integer, ArrayDeque<float[]>> FREE = new HashMap<>();
    /**
     * Every array minted here and not dropped from the pool: the only ones {@link #give} takes back. Weak (arrays
     * hash by identity), so an array that is never given back, e.g. after backward with retainGraph, is not leaked.
     */
    private static final Set<float[]> MINTED = Collections.newSetFromMap(new WeakHashMap<>());
    private static long pooledFloats;

    private GradientBuffers() {}

    /** An array of n floats with unspecified contents, recycled when one is free. */
    public static synchronized float[] take(int n) {
        ArrayDeque<float[]> free = FREE.get(n);
        float[] a = free == null ? null : free.pollFirst();
        if (a != null) {
            pooledFloats -= n;
            return a;
        }
        a = new float[n];
        MINTED.add(a);
        return a;
    }

    /** Whether a is an array minted by {@link #take} (so the engine may give it back when it is dead). */
    public static synchronized boolean isRecyclable(float[] a) {
        return a != null && MINTED.contains(a);
    }

    /** Returns a dead array minted by {@link #take}; anything else is ignored. */
    public static synchronized void give(float[] a) {
        if (a == null || !MINTED.contains(a)) return;
        if (pooledFloats + a.length > capacityFloats) clear();  // full of stale lengths: start over
        if (a.length > capacityFloats) {
            MINTED.remove(a);                                   // too big to keep: let the collector have it
            return;
        }
        FREE.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addFirst(a);
        pooledFloats += a.length;
    }

    /** Takes a minted array out of the pool's care for good (it became a parameter's .grad): never recycled. */
    public static synchronized void disown(float[] a) {
        MINTED.remove(a);
    }

    /** Tests: a smaller pool; returns the old capacity. */
    static synchronized long capacityFloats(long floats) {
        long old = capacityFloats;
        capacityFloats = floats;
        clear();
        return old;
    }

    /** Floats currently free in the pool (tests, diagnostics). */
    public static synchronized long pooledFloats() {
        return pooledFloats;
    }

    /** Drops every free array (tests; a program switching to a different model). */
    public static synchronized void clear() {
        for (ArrayDeque<float[]> q : FREE.values()) for (float[] a : q) MINTED.remove(a);
        FREE.clear();
        pooledFloats = 0;
    }
}
