package dev.zerolm.autograd;

import dev.zerolm.tensor.Tensor;

/**
 * One recorded operation in the graph: where each input's gradient goes and how to turn the gradient of the
 * output into gradients of the inputs (null where an input needs none).
 * <p>A node does not hold its input tensors, only their gradient targets: the input's own node when it was
 * computed, the tensor itself when it is a leaf that requires grad. So an intermediate result's values stay
 * alive only while its backward rule (or the caller) needs them, as with PyTorch's saved tensors, not until
 * the whole graph is released.
 */
public final class Node {

    /** Gradient rule of one op: d(loss)/d(output) -> d(loss)/d(each input). */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    /**
     * Gradient rule of an op with one input whose gradient is a few rows of a big table (an embedding lookup):
     * adds d(loss)/d(input) into a dense, row-major array of the input's shape, so the engine can scatter it
     * straight into a gradient already pending there (a tied output layer's) instead of making a second table.
     */
    @FunctionalInterface
    public interface ScatterBackward {
        void addInto(Tensor gradOutput, float[] dense);
    }

    private final String op;
    private ScatterBackward scatter;
    /** Per input: its Node, or the leaf Tensor itself, or null when it needs no gradient. */
    private Object[] targets;
    /** Per input that needs a gradient: its shape, to check what the backward rule returns. */
    private final int[][] inputShapes;
    private Backward backward;
    /** The output tensor when it asked to keep its gradient ({@link Tensor#retainGrad()}), else null. */
    private Tensor retainedOutput;

    public Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.targets = new Object[inputs.length];
        this.inputShapes = new int[inputs.length][];
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            if (in == null || !in.requiresGrad()) continue;
            targets[k] = in.gradFn() != null ? in.gradFn() : in;
            inputShapes[k] = in.shape();
        }
        this.backward = backward;
    }

    /** A node whose single input's gradient comes from a {@link ScatterBackward}. */
    public static Node scattering(String op, Tensor input, ScatterBackward scatter) {
        Node node = new Node(op, new Tensor[] {input}, null);
        node.scatter = scatter;
        return node;
    }

    public String op() {
        return op;
    }

    /** Where each input's gradient goes: a Node, a leaf Tensor, or null. */
    Object[] targets() {
        if (targets == null) throw released();
        return targets;
    }

    int[] inputShape(int k) {
        return inputShapes[k];
    }

    /** Makes backward also accumulate this node's output gradient into output.grad(). */
    public void retainGradOf(Tensor output) {
        retainedOutput = output;
    }

    Tensor retainedOutput() {
        return retainedOutput;
    }

    Tensor[] backward(Tensor gradOutput) {
        if (backward == null) throw released();
        return backward.apply(gradOutput);
    }

    /** The scatter rule of a {@link #scattering} node, null for any other. */
    ScatterBackward scatter() {
        if (targets == null) throw released();
        return scatter;
    }

    /** Drops the backward rule (and the tensors it saved) so the graph's memory can be reclaimed after backward. */
    void release() {
        targets = null;
        backward = null;
        scatter = null;
        retainedOutput = null;
    }

    private IllegalStateException released() {
        return new IllegalStateException("backward through '" + op
                + "' a second time: the graph was released after the first backward (pass retainGraph=true to keep it)");
    }
}
