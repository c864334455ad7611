package dev.zerolm.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GELU in its exact form (BERT's "gelu"), forward and backward, on whole vectors. A double-precision erf per
 * element made GELU over half of a BERT training step.
 * <pre>
 *   y = x Φ(x)              Φ(x) = ½ erfc(−x/√2), the standard normal CDF
 *   dy/dx = Φ(x) + x φ(x)    φ(x) = e^{−x²/2} / √(2π)
 * </pre>
 * erfc(z) for z ≥ 0 is Numerical Recipes' Chebyshev fit t·exp(−z² + P(t)), t = 1/(1 + z/2), with a fractional
 * error under 1.2e-7 everywhere, so Φ keeps its relative accuracy far into the negative tail.
 */
public final class GeluErf {

    private static final VectorSpecies<Float> SPECIES = VectorMath.SPECIES;
    private static final int LANES = SPECIES.length();
    private static final float INV_SQRT_2 = (float) (1 / Math.sqrt(2)), INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));
    /** Beyond this z = |x|/√2, e^{−z²} is below the smallest float and erfc(z) is 0; clamping keeps z² finite. */
    private static final float Z_MAX = 14f;
    /** P(t)'s coefficients, constant term first. */
    private static final float[] P = {-1.26551223f, 1.00002368f, 0.37409196f, 0.09678418f, -0.18628806f,
            0.27886807f, -1.13520398f, 1.48851587f, -0.82215223f, 0.17087277f};

    private GeluErf() {}

    /** y[yOff + i] = x Φ(x) for x = x[xOff + i], i in [0, n). */
    public static void forward(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0, whole = SPECIES.loopBound(n);
        for (; i < whole; i += LANES) {
            FloatVector xv = FloatVector.fromArray(SPECIES, x, xOff + i);
            xv.mul(normalCdf(xv)).intoArray(y, yOff + i);
        }
        if (i < n) {
            // The last, partial vector goes through the same arithmetic under a mask: a value never depends on its position.
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector xv = FloatVector.fromArray(SPECIES, x, xOff + i, m);
            xv.mul(normalCdf(xv)).intoArray(y, yOff + i, m);
        }
    }

    /** dx[dxOff + i] = g[gOff + i] · (Φ(x) + x φ(x)) for x = x[xOff + i], i in [0, n). */
    public static void backward(float[] x, int xOff, float[] g, int gOff, float[] dx, int dxOff, int n) {
        int i = 0, whole = SPECIES.loopBound(n);
        for (; i < whole; i += LANES) {
            derivative(FloatVector.fromArray(SPECIES, x, xOff + i))
                    .mul(FloatVector.fromArray(SPECIES, g, gOff + i)).intoArray(dx, dxOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            derivative(FloatVector.fromArray(SPECIES, x, xOff + i, m))
                    .mul(FloatVector.fromArray(SPECIES, g, gOff + i, m)).intoArray(dx, dxOff + i, m);
        }
    }

    /** Φ(x) + x φ(x), lane by lane. */
    private static FloatVector derivative(FloatVector x) {
        FloatVector z = x.abs().mul(INV_SQRT_2).min(Z_MAX);
        FloatVector pdf = VectorMath.exp(z.mul(z).neg()).mul(INV_SQRT_2PI);               // φ(x) = e^{−z²}/√(2π)
        return normalCdf(x).add(x.mul(pdf));
    }

    /** Φ(x) lane by lane: ½ erfc(|x|/√2) for x < 0, 1 − ½ erfc(|x|/√2) for x ≥ 0. */
    static FloatVector normalCdf(FloatVector x) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f), half = FloatVector.broadcast(SPECIES, 0.5f);
        FloatVector z = x.abs().mul(FloatVector.broadcast(SPECIES, INV_SQRT_2)).min(Z_MAX);
        FloatVector t = one.div(z.mul(half).add(one));
        FloatVector p = FloatVector.broadcast(SPECIES, P[P.length - 1]);
        for (int k = P.length - 2; k >= 0; k--) p = p.fma(t, FloatVector.broadcast(SPECIES, P[k]));
        FloatVector halfErfc = t.mul(VectorMath.exp(p.sub(z.mul(z)))).mul(half);             // ½ erfc(z)
        return one.sub(halfErfc).blend(halfErfc, x.compare(VectorOperators.LT, 0f));
    }
}
