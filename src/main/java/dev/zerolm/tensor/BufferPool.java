package dev.zerolm.tensor;

import dev.zerolm.autograd.GradMode;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
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
 * <p>Only arrays minted here are ever recycled: user tensors, parameters and parameter gradients ({@code .grad},
 * always a copy) never are. A taken array holds old values: the op must write every element. An array is handed
 * back at most once however often it is given. The pool keeps at most a quarter of the maximum heap. A training
 * step needs the same lengths every time (GPT-2 124M: 420 MB in the pool); when shapes keep changing
 * (variable-length fine-tuning batches) and the pool fills with lengths nobody asks for any more, it is emptied
 * and refills with the current ones.
 */
public final class BufferPool {

    /** At most this many floats wait in the pool: a quarter of the maximum heap. */
    private static long capacityFloats = Runtime.getRuntime().maxMemory() / 4 / Float.BYTES;

    private static final Map<Integer, ArrayDeque<float[]>> FREE = new HashMap<>();
    /**
     * Every array minted here and not dropped from the pool: the only ones {@link #give} takes back. Weak (arrays
     * hash by identity), so an array that is never given back, e.g. after backward with retainGraph, is not leaked.
     */
    private static final Set<float[]> MINTED = Collections.newSetFromMap(new WeakHashMap<>());
    /** The arrays now in FREE (arrays hash by identity): a second give of one must not hand it to two takers. */
    private static final Set<float[]> FREE_ARRAYS = new HashSet<>();
    private static long pooledFloats;

    private BufferPool() {}

    /** An array of n floats with unspecified contents, recycled when one is free. */
    public static synchronized float[] take(int n) {
        ArrayDeque<float[]> free = FREE.get(n);
        float[] a = free == null ? null : free.pollFirst();
        if (a != null) {
            FREE_ARRAYS.remove(a);
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
        if (a == null || !MINTED.contains(a) || FREE_ARRAYS.contains(a)) return;
        if (pooledFloats + a.length > capacityFloats) clear();  // full of stale lengths: start over
        if (a.length > capacityFloats) {
            MINTED.remove(a);                                   // too big to keep: let the collector have it
            return;
        }
        FREE.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addFirst(a);
        FREE_ARRAYS.add(a);
        pooledFloats += a.length;
    }

    /**
     * The array for an op's result of n floats, when the op writes every element of it: in a no-grad forward pass
     * ({@link GradMode#isNoGradForward}), one from the pool (see {@link #recycle}); otherwise a new one (with grad
     * on, backward may keep it; inside backward, rules and optimiser hooks may keep what their ops make).
     */
    public static float[] forOutput(int n) {
        return GradMode.isNoGradForward() ? take(n) : new float[n];
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
        FREE_ARRAYS.clear();
        pooledFloats = 0;
    }
}
