package dev.zerolm.nn;

import dev.zerolm.tensor.Tensor;

/** A module with one tensor in and one out (linear maps, norms, MLPs), so a block can hold any of them. */
public abstract class Layer extends Module {

    public abstract Tensor forward(Tensor x);
}
