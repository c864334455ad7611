package dev.zerolm.autograd;

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
        grads.put(start, seed);
        try (var ignored = GradMode.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Object vertex = order.get(i);
                Tensor g = grads.remove(vertex);
                if (g == null) continue;
                if (vertex instanceof Tensor leaf) {              // a leaf: accumulate into .grad
                    leaf.accumulateGrad(g);
                    continue;
                }
                Node node = (Node) vertex;
                if (node.retainedOutput() != null) node.retainedOutput().accumulateGrad(g);
                Object[] targets = node.targets();
                Tensor[] inputGrads = node.backward(g);
                for (int k = 0; k < targets.length; k++) {
                    Object target = targets[k];
                    Tensor ig = inputGrads[k];
                    if (target == null || ig == null) continue;
                    if (!Arrays.equals(ig.shape(), node.inputShape(k))) {
                        throw new IllegalStateException("autograd: '" + node.op() + "' produced a gradient of shape "
                                + Shapes.str(ig.shape()) + " for an input of shape " + Shapes.str(node.inputShape(k)));
                    }
                    Tensor prev = grads.get(target);
                    grads.put(target, prev == null ? ig : prev.add(ig));
                }
                if (!retainGraph) node.release();
            }
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
