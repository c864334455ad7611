package dev.zerolm.tensor;

import dev.zerolm.tensor.kernels.Gemm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The fused linear op (GEMM with the bias added as tiles are written) against matmul + add, forward and backward. */
class LinearOpTest {

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    private static void assertClose(Tensor actual, Tensor expected) {
        assertThat(actual.shape()).containsExactly(expected.shape());
        float[] a = actual.toArray(), e = expected.toArray();
        for (int i = 0; i < a.length; i++) assertThat(a[i]).as("element %d", i).isCloseTo(e[i], within(1e-5f * (1 + Math.abs(e[i]))));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void matchesMatmulPlusBiasForwardAndBackward(int threads) {
        Parallel.setThreads(threads);
        Rng rng = new Rng(11 + threads);
        // (batch dims..., in) x out: skinny (generation), edge tiles, several K blocks, wide outputs.
        int[][] cases = {{1, 1, 5, 3}, {2, 7, 33, 17}, {4, 64, 128, 384}, {3, 50, 400, 70}, {1, 130, 40, 1200}, {300, 1, 16, 32}};
        for (int[] c : cases) {
            int B = c[0], T = c[1], in = c[2], out = c[3];
            for (boolean withBias : new boolean[] {true, false}) {
                Tensor x1 = Tensor.randn(rng, B, T, in).requiresGrad(true), x2 = x1.detach().copy().requiresGrad(true);
                Tensor w1 = Tensor.randn(rng, out, in).requiresGrad(true), w2 = w1.detach().copy().requiresGrad(true);
                Tensor b1 = withBias ? Tensor.randn(rng, out).requiresGrad(true) : null;
                Tensor b2 = withBias ? b1.detach().copy().requiresGrad(true) : null;
                Tensor fused = NNOps.linear(x1, w1, b1);
                Tensor composed = x2.matmul(w2.t());
                if (withBias) composed = composed.add(b2);
                assertClose(fused, composed);
                Tensor g = Tensor.randn(rng, B, T, out);
                fused.mul(g).sum().backward();
                composed.mul(g).sum().backward();
                assertClose(x1.grad(), x2.grad());
                assertClose(w1.grad(), w2.grad());
                if (withBias) assertClose(b1.grad(), b2.grad());
            }
        }
    }

    @Test
    void resultDoesNotDependOnTheThreadCount() {
        Rng rng = new Rng(5);
        Tensor x = Tensor.randn(rng, 64, 64), w = Tensor.randn(rng, 600, 64), b = Tensor.randn(rng, 600);   // threads split columns
        Parallel.setThreads(1);
        float[] one = NNOps.linear(x, w, b).toArray();
        for (int threads = 2; threads <= 4; threads++) {
            Parallel.setThreads(threads);
            assertThat(NNOps.linear(x, w, b).toArray()).as("threads %d", threads).containsExactly(one);
        }
    }

    @Test
    void onlyInputsThatNeedGradientsGetThem() {
        Rng rng = new Rng(2);
        Tensor x = Tensor.randn(rng, 4, 8), w = Tensor.randn(rng, 6, 8).requiresGrad(true), b = Tensor.randn(rng, 6);
        NNOps.linear(x, w, b).sum().backward();
        assertThat(w.grad()).isNotNull();
        assertThat(x.grad()).isNull();
        assertThat(b.grad()).isNull();
    }

    @Test
    void gemmBiasAddsTheBiasToEveryRowOnEveryPath() {
        Rng rng = new Rng(9);
        // M, N, K: skinny, edge tiles, 2 K blocks; several B blocks with few rows (A packed once per K block)
        for (int[] s : new int[][] {{3, 40, 7}, {100, 70, 129}, {130, 500, 33}, {60, 2600, 400}}) {
            int M = s[0], N = s[1], K = s[2];
            float[] A = Tensor.randn(rng, M, K).toArray(), B = Tensor.randn(rng, N, K).toArray(), bias = Tensor.randn(rng, N + 2).toArray();
            float[] C = new float[M * N], ref = new float[M * N];
            java.util.Arrays.fill(C, Float.NaN);   // never read
            Gemm.gemmBias(false, true, M, N, K, 1f, A, 0, K, B, 0, K, bias, 2, C, 0, N);
            Gemm.gemm(false, true, M, N, K, 1f, A, 0, K, B, 0, K, 0f, ref, 0, N);
            for (int i = 0; i < M; i++) {
                for (int j = 0; j < N; j++) {
                    assertThat(C[i * N + j]).isCloseTo(ref[i * N + j] + bias[2 + j], within(1e-4f * (1 + Math.abs(ref[i * N + j]))));
                }
            }
        }
        assertThatThrownBy(() -> Gemm.gemmBias(false, true, 2, 5, 3, 1f, new float[6], 0, 3, new float[15], 0, 3, new float[4], 0, new float[10], 0, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias of 4 floats");
    }

    @Test
    void mismatchedShapesNameTheProblem() {
        Tensor x = Tensor.zeros(2, 5), w = Tensor.zeros(3, 4);
        assertThatThrownBy(() -> NNOps.linear(x, w, null)).isInstanceOf(ShapeException.class).hasMessageContaining("(out, in)");
        assertThatThrownBy(() -> NNOps.linear(x, Tensor.zeros(3, 5), Tensor.zeros(4)))
                .isInstanceOf(ShapeException.class).hasMessageContaining("bias (4,)");
    }
}
