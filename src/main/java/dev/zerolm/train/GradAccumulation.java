package dev.zerolm.train;

import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.Tensor;

import java.util.function.IntFunction;

/**
 * One optimisation step over several micro-batches, so a large batch fits in memory (nanoGPT's
 * gradient_accumulation_steps). Each micro-batch's mean loss is divided by the number of micro-batches before
 * its backward pass; gradients add up across the passes, so the summed gradient is that of the mean loss over
 * the whole batch. Then the gradients are clipped and the optimiser steps once:
 * <pre>
 *   zeroGrad
 *   for m in 0..micro-1:  loss_m = lossOf(m);  (loss_m / micro).backward()
 *   norm = clip(maxGradNorm);  step
 * </pre>
 */
public final class GradAccumulation {

    /** The mean loss over the micro-batches and the gradient norm before clipping (NaN when updated inside backward). */
    public record Result(float loss, double gradNorm) {}

    private GradAccumulation() {}

    /**
     * Runs microBatches forward/backward passes ({@code lossOfMicroBatch.apply(m)} returns micro-batch m's scalar
     * loss with its graph) and one optimiser step. maxGradNorm {@code <= 0} turns clipping off (the norm is still
     * measured). A step whose gradient norm is not finite is skipped (the gradients are cleared). Each micro-batch
     * runs in a {@link BufferPool#trainingPass}: what the function's forward pass makes (logits, hidden states) is
     * recycled after its backward, so read anything else you need from it (an accuracy) inside the function.
     */
    public static Result step(Optimizer optimizer, int microBatches, float maxGradNorm, IntFunction<Tensor> lossOfMicroBatch) {
        if (microBatches < 1) throw new IllegalArgumentException("GradAccumulation: microBatches must be >= 1, got " + microBatches);
        if (optimizer.stepsInBackward() && (microBatches > 1 || maxGradNorm > 0)) {
            throw new IllegalStateException("GradAccumulation: the optimizer updates inside backward (stepInBackward), so the "
                    + "gradients never exist together: use 1 micro-batch and no clipping (got " + microBatches
                    + " micro-batches, clip " + maxGradNorm + "), or stepAfterBackward()");
        }
        optimizer.zeroGrad();
        double lossSum = 0;
        for (int m = 0; m < microBatches; m++) {
            try (var pass = BufferPool.trainingPass()) {         // its activations are recycled once backward is done
                Tensor loss = lossOfMicroBatch.apply(m);
                lossSum += loss.item();
                (microBatches == 1 ? loss : loss.div(microBatches)).backward();
            }
        }
        if (optimizer.stepsInBackward()) {                   // updated inside backward: nothing left to measure
            optimizer.step();
            return new Result((float) lossSum, Double.NaN);
        }
        double norm = maxGradNorm > 0
                ? GradClip.clipGlobalNorm(optimizer.parameters(), maxGradNorm)
                : GradClip.globalNorm(optimizer.parameters());
        if (Double.isFinite(norm)) optimizer.step();
        optimizer.releaseGrads();
        return new Result((float) (lossSum / microBatches), norm);
    }
}
