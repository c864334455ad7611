package dev.zerolm.tensor.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The vector log-sum-exp and scaled softmax of a row against double precision, for widths with and without a tail. */
class SoftmaxRowsTest {

    @Test
    void logSumExpAndScaledSoftmaxMatchTheDefinition() {
        Random rnd = new Random(3);
        for (int C : new int[] {1, 2, 15, 16, 17, 100, 1000, 50257}) {
            float[] x = new float[C + 4];
            for (int j = 0; j < x.length; j++) x[j] = (float) (rnd.nextGaussian() * 4);
            int off = 4 - 1;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < C; j++) max = Math.max(max, x[off + j]);
            for (int j = 0; j < C; j++) sum += Math.exp(x[off + j] - max);
            double lse = max + Math.log(sum);
            float got = SoftmaxRows.logSumExp(x, off, C);
            assertThat((double) got).as("lse C=%d", C).isCloseTo(lse, within(2e-6 * Math.max(1, Math.abs(lse))));

            float[] dx = new float[C + 2];
            SoftmaxRows.scaledSoftmax(x, off, C, got, 0.5f, dx, 2);
            for (int j = 0; j < C; j++) {
                double want = 0.5 * Math.exp(x[off + j] - lse);
                assertThat((double) dx[2 + j]).as("dx C=%d j=%d", C, j).isCloseTo(want, within(5e-5 * want + 1e-9));   // lse is a float: its last bit moves every e^(x - lse)
            }
            assertThat(dx[0]).isZero();
            assertThat(dx[1]).isZero();
        }
    }

    @Test
    void largeLogitsDoNotOverflow() {
        float[] x = {1000f, 999f, -1000f};
        assertThat(SoftmaxRows.logSumExp(x, 0, 3)).isCloseTo((float) (1000 + Math.log(1 + Math.exp(-1))), within(1e-3f));
    }
}
