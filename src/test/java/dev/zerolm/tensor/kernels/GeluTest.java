package dev.zerolm.tensor.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class GeluTest {

    private static final double K = Math.sqrt(2 / Math.PI), C = 0.044715;

    private static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(K * (x + C * x * x * x)));
    }

    private static double geluDerivative(double x) {
        double t = Math.tanh(K * (x + C * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * K * (1 + 3 * C * x * x);
    }

    @Test
    void forwardAndBackwardMatchTheDoublePrecisionFormulaForEveryLengthAndOffset() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n : new int[] {1, 3, 15, 16, 17, 100, 1000}) {
            int off = n % 5;
            float[] x = new float[n + off], g = new float[n + off];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * 3);
                g[i] = (float) rnd.nextGaussian();
            }
            float[] y = new float[n], dx = new float[n];
            Gelu.forward(x, off, y, 0, n);
            Gelu.backward(x, off, g, off, dx, 0, n);
            for (int i = 0; i < n; i++) {
                double xi = x[off + i];
                assertThat((double) y[i]).as("gelu(%s), n=%d", xi, n).isCloseTo(gelu(xi), org.assertj.core.data.Offset.offset(2e-6 * (1 + Math.abs(xi))));
                assertThat((double) dx[i]).as("gelu'(%s) g, n=%d", xi, n)
                        .isCloseTo(g[off + i] * geluDerivative(xi), org.assertj.core.data.Offset.offset(2e-6 * (1 + Math.abs(g[off + i]))));
            }
        }
    }

    @Test
    void largeInputsSaturateWithoutNaN() {
        float[] x = new float[32];
        for (int i = 0; i < 16; i++) x[i] = 1e4f * (i - 8);
        for (int i = 16; i < 32; i++) x[i] = Float.MAX_VALUE / (i - 15) * (i % 2 == 0 ? 1 : -1);
        float[] y = new float[32], dx = new float[32], ones = new float[32];
        java.util.Arrays.fill(ones, 1f);
        Gelu.forward(x, 0, y, 0, 32);
        Gelu.backward(x, 0, ones, 0, dx, 0, 32);
        for (int i = 0; i < 32; i++) {
            if (x[i] > 0) assertThat(y[i]).isEqualTo(x[i]);
            if (x[i] < 0) assertThat(y[i]).isEqualTo(0f);
            assertThat(dx[i]).isNotNaN();
        }
    }
}
