package dev.zerolm.autograd;

import dev.zerolm.tensor.Tensor;

/**
 * One recorded operation in the graph: the tensors it read and how to turn the gradient of its output
 * into gradients of those inputs (null where an input needs none).
 */
public final class Node {

    /** Gradient rule of one op: d(loss)/d(output) -> d(loss)/d(each input). */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    private final String op;
    private Tensor[] inputs;
    private Backward backward;

    public Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String op() {
        return op;
    }

    public Tensor[] inputs() {
        if (inputs == null) throw released();
        return inputs;
    }

    Tensor[] backward(Tensor gradOutput) {
        if (backward == null) throw released();
        return backward.apply(gradOutput);
    }

    /** Drops saved tensors so the graph's memory can be reclaimed after backward. */
    void release() {
        inputs = null;
        backward = null;
    }

    boolean isReleased() {
        return backward == null;
    }

    private IllegalStateException released() {
        return new IllegalStateException("backward through '" + op
                + "' a second time: the graph was released after the first backward (pass retainGraph=true to keep it)");
    }
}
