package dev.zerolm.tensor.kernels;

import dev.zerolm.tensor.Erf;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** Both GELU kernels, Gelu (tanh form) and GeluErf (exact form), against double-precision formulas. */
class GeluTest {

    /** forward(x, xOff, y, yOff, n) and backward(x, xOff, g, gOff, dx, dxOff, n) of one kernel. */
    private interface Forward {
        void apply(float[] x, int xOff, float[] y, int yOff, int n);
    }

    private interface Backward {
        void apply(float[] x, int xOff, float[] g, int gOff, float[] dx, int dxOff, int n);
    }

    private static final double K = Math.sqrt(2 / Math.PI), C = 0.044715;

    private static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(K * (x + C * x * x * x)));
    }

    private static double geluTanhDerivative(double x) {
        double t = Math.tanh(K * (x + C * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * K * (1 + 3 * C * x * x);
    }

    private static double cdf(double x) {
        return 0.5 * (1 + Erf.erf(x / Math.sqrt(2)));
    }

    private static double geluErfDerivative(double x) {
        return cdf(x) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }

    @Test
    void tanhFormMatchesTheDoublePrecisionFormulaForEveryLengthAndOffset() {
        checkAgainstReference(Gelu::forward, Gelu::backward, GeluTest::geluTanh, GeluTest::geluTanhDerivative, 2e-6);
    }

    @Test
    void erfFormMatchesTheDoublePrecisionErfForEveryLengthAndOffset() {
        checkAgainstReference(GeluErf::forward, GeluErf::backward, x -> x * cdf(x), GeluTest::geluErfDerivative, 1e-6);
    }

    private static void checkAgainstReference(Forward forward, Backward backward, DoubleUnaryOperator f, DoubleUnaryOperator df,
                                              double tolerance) {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n : new int[] {1, 3, 15, 16, 17, 100, 1000}) {
            int off = n % 5;
            float[] x = new float[n + off], g = new float[n + off];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * 3);
                g[i] = (float) rnd.nextGaussian();
            }
            float[] y = new float[n], dx = new float[n];
            forward.apply(x, off, y, 0, n);
            backward.apply(x, off, g, off, dx, 0, n);
            for (int i = 0; i < n; i++) {
                double xi = x[off + i];
                assertThat((double) y[i]).as("gelu(%s), n=%d", xi, n).isCloseTo(f.applyAsDouble(xi), offset(tolerance * (1 + Math.abs(xi))));
                assertThat((double) dx[i]).as("gelu'(%s) g, n=%d", xi, n)
                        .isCloseTo(g[off + i] * df.applyAsDouble(xi), offset(tolerance * (1 + Math.abs(g[off + i]))));
            }
        }
    }

    @Test
    void erfFormKeepsItsRelativeAccuracyInTheNegativeTail() {
        // x Φ(x) is tiny there; an erf computed as 1 - erfc would round it to 0 or lose every digit.
        float[] x = {-3f, -5f, -7f, -9f};
        float[] y = new float[x.length];
        GeluErf.forward(x, 0, y, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            double expected = x[i] * 0.5 * erfcTail(-x[i] / Math.sqrt(2));
            assertThat((double) y[i]).as("gelu(%s)", x[i]).isCloseTo(expected, offset(1e-5 * Math.abs(expected)));
        }
    }

    /** erfc(z) for z >= 2 by its continued fraction z + (1/2)/(z + 1/(z + (3/2)/(z + ...))), evaluated from the tail. */
    private static double erfcTail(double z) {
        double k = z;
        for (int n = 80; n >= 1; n--) k = z + (n / 2.0) / k;
        return Math.exp(-z * z) / (Math.sqrt(Math.PI) * k);
    }

    @Test
    void largeInputsSaturateWithoutNaN() {
        saturates(Gelu::forward, Gelu::backward);
        saturates(GeluErf::forward, GeluErf::backward);
    }

    private static void saturates(Forward forward, Backward backward) {
        float[] x = new float[32];
        for (int i = 0; i < 16; i++) x[i] = 1e4f * (i - 8);
        for (int i = 16; i < 32; i++) x[i] = Float.MAX_VALUE / (i - 15) * (i % 2 == 0 ? 1 : -1);
        float[] y = new float[32], dx = new float[32], ones = new float[32];
        Arrays.fill(ones, 1f);
        forward.apply(x, 0, y, 0, 32);
        backward.apply(x, 0, ones, 0, dx, 0, 32);
        for (int i = 0; i < 32; i++) {
            if (x[i] > 0) assertThat(y[i]).isEqualTo(x[i]);
            if (x[i] < 0) assertThat(y[i]).isZero();
            assertThat(dx[i]).isNotNaN();
        }
    }
}
