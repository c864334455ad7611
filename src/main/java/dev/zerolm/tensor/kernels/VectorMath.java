package dev.zerolm.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Elementary functions on whole vectors, for kernels that would otherwise leave the SIMD registers per element. */
public final class VectorMath {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorMath() {}

    /**
     * The sum of a vector's lanes, first to last. The library's reduceLanes(ADD) may add them in another order
     * once compiled, and so round differently than before.
     */
    public static float sumLanes(FloatVector v) {
        float sum = 0f;
        for (int i = 0; i < v.length(); i++) sum += v.lane(i);
        return sum;
    }

    private static final float LOG2_E = 1.44269504f;
    /** ln 2 split in two: the high part has few enough bits that n · LN2_HIGH is exact for |n| ≤ 127. */
    private static final float LN2_HIGH = 0.693359375f, LN2_LOW = -2.12194440e-4f;
    /** 1.5 · 2²³: adding it rounds a float of magnitude below 2²² to an integer, which lands in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    /** Below this e^x is under the smallest normal float; exp returns 0 there. */
    private static final float EXP_UNDERFLOW = -87.33654f;

    /**
     * e^x lane by lane to within about 1 ulp, for x ≤ 88, built only from adds, multiplies and bit shifts. Those
     * give the same bits in the interpreter and in compiled code, where the library's lanewise EXP does not (its
     * compiled form is a different approximation), and results must not change with the JIT's progress.
     * Every constant is a broadcast vector: the scalar-argument forms of fma are not intrinsified and box.
     * e^x = 2^n · e^r with n = round(x / ln 2) and |r| ≤ ln 2 / 2, e^r from its Taylor series to r⁷ (error &lt; 1e-8).
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector t = x.max(EXP_UNDERFLOW).min(88f);
        FloatVector shifted = t.fma(FloatVector.broadcast(SPECIES, LOG2_E),
                FloatVector.broadcast(SPECIES, ROUNDER));                           // ROUNDER + round(t · log2 e)
        FloatVector n = shifted.sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(SPECIES, -LN2_HIGH), t);
        r = n.fma(FloatVector.broadcast(SPECIES, -LN2_LOW), r);
        FloatVector p = r.fma(FloatVector.broadcast(SPECIES, 1f / 5040), FloatVector.broadcast(SPECIES, 1f / 720));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 120));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 0.5f));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f));
        FloatVector twoToN = ((IntVector) shifted.reinterpretAsInts())              // n + 127 in the exponent field
                .add(127 - Float.floatToRawIntBits(ROUNDER))
                .lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return p.mul(twoToN).blend(0f, x.compare(VectorOperators.LT, EXP_UNDERFLOW));
    }
}
