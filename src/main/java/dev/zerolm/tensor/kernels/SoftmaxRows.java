package dev.zerolm.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax pieces of one row of C logits on whole vectors, for cross-entropy over a large vocabulary (GPT-2's
 * 50257 classes: a scalar exp per logit was ~6% of a training step) and for softmax itself (BERT's attention). The last, partial vector goes through the
 * same arithmetic under a mask and lanes are summed in lane order, so a row's result does not depend on the JIT.
 * <pre>
 *   logSumExp:  m = max x,  lse = m + ln Σ e^(x − m)
 *   gradient:   dx = scale · e^(x − lse)       (the caller subtracts scale at the target)
 * </pre>
 */
public final class SoftmaxRows {

    private static final VectorSpecies<Float> SPECIES = VectorMath.SPECIES;
    private static final int LANES = SPECIES.length();

    private SoftmaxRows() {}

    /** ln Σ_j e^(x[off + j]) over j in [0, C), computed as max + ln Σ e^(x − max). */
    public static float logSumExp(float[] x, int off, int C) {
        float max = max(x, off, C);
        return max + (float) Math.log(expShifted(x, off, C, max, null, 0));
    }

    /** The largest of x[off .. off + C). */
    public static float max(float[] x, int off, int C) {
        int whole = SPECIES.loopBound(C);
        FloatVector mv = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < whole; j += LANES) mv = mv.max(FloatVector.fromArray(SPECIES, x, off + j));
        if (j < C) {
            VectorMask<Float> m = SPECIES.indexInRange(j, C);
            mv = mv.max(FloatVector.fromArray(SPECIES, x, off + j, m).blend(Float.NEGATIVE_INFINITY, m.not()));
        }
        return mv.reduceLanes(VectorOperators.MAX);                  // exact in any order
    }

    /**
     * Σ_j e^(x[off + j] − shift) over j in [0, C), lanes added in order; also writes each term to out[outOff + j]
     * unless out is null (softmax keeps them, log-sum-exp does not).
     */
    public static float expShifted(float[] x, int off, int C, float shift, float[] out, int outOff) {
        int whole = SPECIES.loopBound(C);
        FloatVector shiftV = FloatVector.broadcast(SPECIES, shift), sum = FloatVector.zero(SPECIES);
        int j = 0;
        for (; j < whole; j += LANES) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(SPECIES, x, off + j).sub(shiftV));
            if (out != null) e.intoArray(out, outOff + j);
            sum = sum.add(e);
        }
        if (j < C) {
            VectorMask<Float> m = SPECIES.indexInRange(j, C);
            FloatVector e = VectorMath.exp(FloatVector.fromArray(SPECIES, x, off + j, m).sub(shiftV)).blend(0f, m.not());
            if (out != null) e.intoArray(out, outOff + j, m);
            sum = sum.add(e);
        }
        return VectorMath.sumLanes(sum);
    }

    /** dx[dxOff + j] = scale · e^(x[off + j] − lse) for j in [0, C). */
    public static void scaledSoftmax(float[] x, int off, int C, float lse, float scale, float[] dx, int dxOff) {
        int whole = SPECIES.loopBound(C);
        FloatVector lseV = FloatVector.broadcast(SPECIES, lse), scaleV = FloatVector.broadcast(SPECIES, scale);
        int j = 0;
        for (; j < whole; j += LANES) {
            VectorMath.exp(FloatVector.fromArray(SPECIES, x, off + j).sub(lseV)).mul(scaleV).intoArray(dx, dxOff + j);
        }
        if (j < C) {
            VectorMask<Float> m = SPECIES.indexInRange(j, C);
            VectorMath.exp(FloatVector.fromArray(SPECIES, x, off + j, m).sub(lseV)).mul(scaleV).intoArray(dx, dxOff + j, m);
        }
    }
}
