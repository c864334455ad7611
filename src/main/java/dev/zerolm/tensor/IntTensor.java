package dev.zerolm.tensor;

/**
 * Integer indices with a shape: token ids, targets, gather indices. Always contiguous and never
 * differentiable, so it stays a plain record rather than a {@link Tensor}.
 */
public record IntTensor(int[] data, int[] shape) {

    public IntTensor {
        if (Shapes.numel(shape) != data.length) {
            throw new ShapeException("IntTensor: " + data.length + " values do not fill shape " + Shapes.str(shape));
        }
    }

    public static IntTensor of(int[] data, int... shape) {
        return new IntTensor(data, shape);
    }

    public static IntTensor vector(int... data) {
        return new IntTensor(data, new int[] {data.length});
    }

    public int numel() {
        return data.length;
    }

    public int get(int i) {
        return data[i];
    }

    /** Same values, new shape; one dim may be -1 to be inferred. */
    public IntTensor reshape(int... newShape) {
        int[] target = newShape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1 && infer < 0) infer = i;
            else known *= target[i];
        }
        if (infer >= 0 && known > 0) target[infer] = data.length / known;
        return new IntTensor(data, target);
    }
}
