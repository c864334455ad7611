package dev.zerolm.autograd;

import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation: orders the graph behind a root tensor topologically, then walks it from the
 * root back to the leaves, summing the gradients that reach each vertex (an input used twice gets both).
 * A vertex is a {@link Node} (a computed tensor) or a leaf {@link Tensor} that requires grad.
 *
 * <p>When the graph is released as it goes (no retainGraph), gradient arrays that backward rules took from
 * {@link BufferPool} are counted while gradients pending in the walk use them and handed back at zero, and
 * a second gradient reaching a vertex is added in place into the first when only that vertex uses its array.
 * A leaf whose gradient is such an array keeps it as its {@code .grad} (no copy), an embedding's rows are scattered
 * into the gradient already pending for its table, and a leaf's post-accumulate hook runs once its gradient is
 * final (every vertex that uses the leaf comes before it in the walk).
 */
public final class Engine {

    private static final Object[] NO_TARGETS = {};

    private Engine() {}

    public static void backward(Tensor root, Tensor seed, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor does not require grad and has no graph behind it");
        }
        Object start = root.gradFn() != null ? root.gradFn() : root;
        List<Object> order = topologicalOrder(start);
        Map<Object, Tensor> grads = new IdentityHashMap<>();
        Uses uses = new Uses(!retainGraph);             // a retained graph may run its rules again: recycle nothing
        grads.put(start, seed);
        uses.pin(seed);                  // the seed belongs to the caller (an outer backward, for a checkpoint)
        try (var ignored = GradMode.backwardPass()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Object vertex = order.get(i);
                Tensor g = grads.remove(vertex);
                if (g == null) continue;
                if (vertex instanceof Tensor leaf) {
                    if (leaf.grad() == null && uses.adopt(g, leaf)) {
                        leaf.setGrad(g.detach());                 // a pooled array only this gradient used: kept as .grad, no copy
                    } else {
                        leaf.accumulateGrad(g);                   // a copy: g may share its array with other tensors
                        uses.drop(g);
                    }
                    leaf.gradAccumulated();                       // every use of the leaf is behind us: its gradient is final
                    continue;
                }
                Node node = (Node) vertex;
                if (node.retainedOutput() != null) node.retainedOutput().accumulateGrad(g);
                Object[] targets = node.targets();
                if (node.scatter() != null) {
                    scatter(node, g, grads, uses);
                } else {
                    Tensor[] inputGrads = node.backward(g);
                    for (int k = 0; k < targets.length; k++) {
                        Object target = targets[k];
                        Tensor ig = inputGrads[k];
                        if (target == null || ig == null) continue;
                        if (!Arrays.equals(ig.shape(), node.inputShape(k))) {
                            throw new IllegalStateException("autograd: '" + node.op() + "' produced a gradient of shape "
                                    + Shapes.str(ig.shape()) + " for an input of shape " + Shapes.str(node.inputShape(k)));
                        }
                        pass(target, ig, grads, uses);
                    }
                }
                uses.drop(g);                                     // after the holds: a rule may pass g straight on
                if (!retainGraph) node.release();
            }
        }
    }

    /** Adds gradient ig (just made by a rule) to what is pending for target. */
    private static void pass(Object target, Tensor ig, Map<Object, Tensor> grads, Uses uses) {
        uses.hold(ig);
        Tensor prev = grads.get(target);
        if (prev == null) {
            grads.put(target, ig);
        } else if (uses.soleOwner(prev)) {
            prev.addInPlace(ig);
            uses.drop(ig);
        } else {
            Tensor sum = pooledSum(prev, ig);
            uses.hold(sum);
            grads.put(target, sum);
            uses.drop(prev);
            uses.drop(ig);
        }
    }

    /**
     * a + b (same shape) in an array from the pool, so that the sum can be added into, adopted as a leaf's .grad or
     * recycled like a rule's result: a checkpointed block's input, whose gradient sums the caller's pinned seed with
     * the residual branch's, made 3 MiB of garbage per block and step in GPT-2 124M.
     */
    private static Tensor pooledSum(Tensor a, Tensor b) {
        Tensor ac = a.contiguous();                           // a itself unless it is a strided view
        Tensor sum = Tensor.of(BufferPool.take(a.numel()), a.shape());
        System.arraycopy(ac.data(), ac.offset(), sum.data(), 0, a.numel());
        sum.addInPlace(b);
        return sum;
    }

    /**
     * A sparse gradient (an embedding's rows): scattered into the gradient pending for the table when only this
     * walk uses it (GPT's tied wte: into the output layer's), else into a fresh zeroed table.
     */
    private static void scatter(Node node, Tensor g, Map<Object, Tensor> grads, Uses uses) {
        Object target = node.targets()[0];
        if (target == null) return;
        Tensor prev = grads.get(target);
        if (prev != null && uses.soleOwner(prev)) {
            node.scatter().addInto(g, prev.storage().heapArray());
            return;
        }
        int[] shape = node.inputShape(0);
        float[] dense = BufferPool.take(Shapes.numel(shape));
        Arrays.fill(dense, 0f);
        node.scatter().addInto(g, dense);
        pass(target, Tensor.of(dense, shape), grads, uses);
    }

    /**
     * How many pending gradients use each recyclable array; an array nobody uses any more goes back to the pool.
     * Disabled (counts nothing, recycles nothing) when the graph is retained.
     */
    private static final class Uses {
        private final boolean enabled;
        private final Map<float[], Integer> counts = new IdentityHashMap<>();
        private final Map<float[], Boolean> pinned = new IdentityHashMap<>();

        Uses(boolean enabled) {
            this.enabled = enabled;
        }

        /** t's array is never recycled, added into or adopted here: someone outside this backward owns it. */
        void pin(Tensor t) {
            float[] a = t.storage().heapArray();
            if (a != null) pinned.put(a, Boolean.TRUE);
        }

        void hold(Tensor t) {
            float[] a = t.storage().heapArray();
            if (enabled && BufferPool.isRecyclable(a)) counts.merge(a, 1, Integer::sum);
        }

        void drop(Tensor t) {
            float[] a = t.storage().heapArray();
            Integer n = a == null ? null : counts.get(a);
            if (n == null || pinned.containsKey(a)) return;
            if (n > 1) {
                counts.put(a, n - 1);
            } else {
                counts.remove(a);
                BufferPool.give(a);
            }
        }

        /**
         * Whether leaf may keep g's array as its .grad: g alone uses a pooled array of exactly the leaf's shape. If
         * so the array leaves the pool for good (the optimiser reads it, zeroGrad drops it to the collector).
         */
        boolean adopt(Tensor g, Tensor leaf) {
            if (!soleOwner(g) || !Arrays.equals(g.shape(), leaf.shape())) return false;
            float[] a = g.storage().heapArray();
            counts.remove(a);
            BufferPool.disown(a);
            return true;
        }

        /** Whether t is the only pending gradient on its (recyclable, whole, contiguous) array: safe to add into. */
        boolean soleOwner(Tensor t) {
            float[] a = t.storage().heapArray();
            return a != null && counts.getOrDefault(a, 0) == 1 && !pinned.containsKey(a) && t.isContiguous() && t.offset() == 0 && a.length == t.numel();
        }
    }

    /** Vertices reachable from start through the nodes' targets, inputs before the vertices computed from them. */
    private static List<Object> topologicalOrder(Object start) {
        List<Object> order = new ArrayList<>();
        Map<Object, Boolean> visited = new IdentityHashMap<>();
        // Iterative DFS (deep graphs would overflow the Java stack): frame = vertex + next input index.
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {start, 0});
        visited.put(start, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Object[] targets = frame[0] instanceof Node node ? node.targets() : NO_TARGETS;
            int next = (Integer) frame[1];
            if (next < targets.length) {
                frame[1] = next + 1;
                Object in = targets[next];
                if (in != null && visited.put(in, Boolean.TRUE) == null) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(frame[0]);
            }
        }
        return order;
    }
}
