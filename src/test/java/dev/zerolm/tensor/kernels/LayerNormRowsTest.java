package dev.zerolm.tensor.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The vector layer norm row kernels against a plain double-precision reference, for widths with and without a tail. */
class LayerNormRowsTest {

    @Test
    void forwardAndBackwardMatchTheDefinition() {
        Random rnd = new Random(7);
        for (int C : new int[] {1, 3, 16, 17, 37, 128, 200}) {
            for (boolean affine : new boolean[] {true, false}) {
                float[] x = new float[C + 3], g = new float[C + 5], w = null, b = null;
                for (int j = 0; j < x.length; j++) x[j] = (float) (rnd.nextGaussian() * 2 + 0.5);
                for (int j = 0; j < g.length; j++) g[j] = (float) rnd.nextGaussian();
                if (affine) {
                    w = new float[C];
                    b = new float[C];
                    for (int j = 0; j < C; j++) { w[j] = (float) (1 + 0.3 * rnd.nextGaussian()); b[j] = (float) rnd.nextGaussian(); }
                }
                int xOff = 3, gOff = 5;
                float eps = 1e-5f;
                // Reference in double.
                double mean = 0, var = 0;
                for (int j = 0; j < C; j++) mean += x[xOff + j];
                mean /= C;
                for (int j = 0; j < C; j++) var += (x[xOff + j] - mean) * (x[xOff + j] - mean);
                var /= C;
                double rstd = 1 / Math.sqrt(var + eps);
                double[] n = new double[C], d = new double[C];
                double meanD = 0, meanDN = 0;
                for (int j = 0; j < C; j++) {
                    n[j] = (x[xOff + j] - mean) * rstd;
                    d[j] = g[gOff + j] * (w == null ? 1 : w[j]);
                    meanD += d[j] / C;
                    meanDN += d[j] * n[j] / C;
                }

                float[] y = new float[C + 2], stats = new float[2];
                LayerNormRows.forward(x, xOff, C, w, b, eps, y, 2, stats);
                assertThat(stats[0]).isCloseTo((float) mean, within(1e-5f));
                assertThat(stats[1]).isCloseTo((float) rstd, within((float) (1e-5 * rstd)));
                for (int j = 0; j < C; j++) {
                    double want = n[j] * (w == null ? 1 : w[j]) + (b == null ? 0 : b[j]);
                    assertThat(y[2 + j]).as("y C=%d j=%d", C, j).isCloseTo((float) want, within(1e-5f));
                }

                float[] dx = new float[C + 1], dw = new float[2 * C], db = new float[2 * C];
                dw[C] = 1f;   // partials accumulate at the given offset
                LayerNormRows.backward(x, xOff, g, gOff, C, w, stats[0], stats[1], dx, 1, dw, db, C);
                for (int j = 0; j < C; j++) {
                    double wantDx = rstd * (d[j] - meanD - n[j] * meanDN);
                    assertThat(dx[1 + j]).as("dx C=%d j=%d", C, j).isCloseTo((float) wantDx, within(2e-5f));
                    double wantDw = g[gOff + j] * n[j] + (j == 0 ? 1 : 0);
                    assertThat(dw[C + j]).as("dw C=%d j=%d", C, j).isCloseTo((float) wantDw, within(1e-5f));
                    assertThat(db[C + j]).isCloseTo(g[gOff + j], within(1e-6f));
                    assertThat(dw[j]).isZero();
                }
            }
        }
    }
}
