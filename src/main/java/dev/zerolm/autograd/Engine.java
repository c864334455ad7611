package dev.zerolm.autograd;

import dev.zerolm.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation: orders the graph behind a root tensor topologically, then walks it from the
 * root back to the leaves, summing the gradients that reach each tensor (a tensor used twice gets both).
 */
public final class Engine {

    private Engine() {}

    public static void backward(Tensor root, Tensor seed, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor does not require grad and has no graph behind it");
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (var ignored = GradMode.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) continue;
                Node node = t.gradFn();
                if (node == null) { // a leaf: accumulate into .grad
                    t.accumulateGrad(g);
                    continue;
                }
                if (t.retainsGrad()) t.accumulateGrad(g);
                Tensor[] inputs = node.inputs();
                Tensor[] inputGrads = node.backward(g);
                for (int k = 0; k < inputs.length; k++) {
                    Tensor in = inputs[k];
                    Tensor ig = inputGrads[k];
                    if (in == null || ig == null || !in.requiresGrad()) continue;
                    if (!java.util.Arrays.equals(ig.shape(), in.shape())) {
                        throw new IllegalStateException("autograd: '" + node.op() + "' produced a gradient of shape "
                                + dev.zerolm.tensor.Shapes.str(ig.shape()) + " for an input of shape "
                                + dev.zerolm.tensor.Shapes.str(in.shape()));
                    }
                    Tensor prev = grads.get(in);
                    grads.put(in, prev == null ? ig : prev.add(ig));
                }
                if (!retainGraph) node.release();
            }
        }
    }

    /** Tensors reachable from root through gradFn links, inputs before the tensors computed from them. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        // Iterative DFS (deep graphs would overflow the Java stack): frame = tensor + next input index.
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.gradFn();
            Tensor[] inputs = node == null ? new Tensor[0] : node.inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad() && visited.put(in, Boolean.TRUE) == null) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
