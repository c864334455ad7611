package dev.zerolm.testutil;

import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.Tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares a result with a PyTorch reference using a tolerance scaled by the tensor, as tools/golden/README.md
 * advises: |actual - expected| <= 1e-5 * max|expected| + 1e-7 for every element. Run Maven with
 * -Dzerolm.golden.report to print each tensor's worst deviation.
 */
public final class GoldenAssert {

    public static final double RELATIVE = 1e-5, ABSOLUTE = 1e-7;

    private GoldenAssert() {}

    /** Asserts closeness; returns the worst deviation relative to max|expected|. */
    public static double assertClose(String name, Tensor actual, Tensor expected) {
        return assertClose(name, actual, expected, RELATIVE);
    }

    /** Asserts |actual - expected| <= tolerance * max|expected| + 1e-7; returns the worst deviation relative to max|expected|. */
    public static double assertClose(String name, Tensor actual, Tensor expected, double tolerance) {
        if (actual == null) fail(name + ": no value (a missing gradient?)");
        assertArrayEquals(expected.shape(), actual.shape(), name + ": shape " + Shapes.str(actual.shape())
                + " differs from the reference " + Shapes.str(expected.shape()));
        float[] a = actual.toArray(), e = expected.toArray();
        double maxExpected = 0;
        for (float v : e) maxExpected = Math.max(maxExpected, Math.abs(v));
        double tol = tolerance * maxExpected + ABSOLUTE, worst = 0;
        int worstAt = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - e[i]);
            if (!(d <= worst)) { // also catches NaN
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                worstAt = i;
            }
        }
        double relative = maxExpected == 0 ? worst : worst / maxExpected;
        if (System.getProperty("zerolm.golden.report") != null) {
            System.out.printf("golden %-40s max|a-e| = %.3e  (%.3e of max|e| = %.3e)%n", name, worst, relative, maxExpected);
        }
        if (worst > tol) {
            fail(String.format("%s: element %d is %s, expected %s (|diff| %.3e > tolerance %.3e = %.0e * %.3e + 1e-7)",
                    name, worstAt, a[worstAt], e[worstAt], worst, tol, tolerance, maxExpected));
        }
        return relative;
    }
}
