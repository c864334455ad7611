package dev.zerolm.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax pieces of one row of C logits on whole vectors, for cross-entropy over a large vocabulary (GPT-2's
 * 50257 classes: a scalar exp per logit was ~6% of a training step). The last, partial vector goes through the
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
        int whole = SPECIES.loopBound(C);
        FloatVector mv = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < whole; j += LANES) mv = mv.max(FloatVector.fromArray(SPECIES, x, off + j));
        if (j < C) {
            VectorMask<Float> m = SPECIES.indexInRange(j, C);
            mv = mv.max(FloatVector.fromArray(SPECIES, x, off + j, m).blend(Float.NEGATIVE_INFINITY, m.not()));
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < LANES; i++) max = Math.max(max, mv.lane(i));
        FloatVector maxV = FloatVector.broadcast(SPECIES, max), sum = FloatVector.zero(SPECIES);
        for (j = 0; j < whole; j += LANES) sum = sum.add(VectorMath.exp(FloatVector.fromArray(SPECIES, x, off + j).sub(maxV)));
        if (j < C) {
            VectorMask<Float> m = SPECIES.indexInRange(j, C);
            sum = sum.add(VectorMath.exp(FloatVector.fromArray(SPECIES, x, off + j, m).sub(maxV)).blend(0f, m.not()));
        }
        float s = 0f;
        for (int i = 0; i < LANES; i++) s += sum.lane(i);
        return max + (float) Math.log(s);
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
