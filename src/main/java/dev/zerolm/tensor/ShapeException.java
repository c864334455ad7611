package dev.zerolm.tensor;

/** A shape, dimension or index that an operation cannot accept. The message names the op and the shapes. */
public final class ShapeException extends IllegalArgumentException {
    public ShapeException(String message) {
        super(message);
    }
}
