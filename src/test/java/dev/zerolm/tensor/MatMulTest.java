package dev.zerolm.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Tensor.matmul against a naive triple loop in double, for many shapes, layouts and thread counts. */
class MatMulTest {

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    private static float[] naive(float[] a, float[] b, int M, int K, int N) {
        float[] c = new float[M * N];
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int k = 0; k < K; k++) s += (double) a[i * K + k] * b[k * N + j];
                c[i * N + j] = (float) s;
            }
        }
        return c;
    }

    private static void assertClose(float[] actual, float[] expected, int K) {
        assertThat(actual).hasSameSizeAs(expected);
        double tol = 1e-5 * Math.sqrt(K) * 4;
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(tol * (1 + Math.abs(expected[i]))));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void matchesNaiveForAwkwardSizesAndEveryLayout(int threads) {
        Parallel.setThreads(threads);
        Rng rng = new Rng(threads);
        int[][] shapes = {{1, 1, 1}, {3, 17, 5}, {17, 3, 1}, {1, 64, 33}, {33, 65, 17}, {64, 64, 64}, {100, 31, 129}, {130, 257, 70}};
        for (int[] s : shapes) {
            int M = s[0], K = s[1], N = s[2];
            Tensor a = Tensor.randn(rng, M, K), b = Tensor.randn(rng, K, N);
            float[] expected = naive(a.toArray(), b.toArray(), M, K, N);
            assertClose(a.matmul(b).toArray(), expected, K);
            // The same product from transposed storage: A stored (K, M), B stored (N, K).
            Tensor aT = a.t().contiguous().t(), bT = b.t().contiguous().t();
            assertClose(aT.matmul(b).toArray(), expected, K);
            assertClose(a.matmul(bT).toArray(), expected, K);
            assertClose(aT.matmul(bT).toArray(), expected, K);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void batchedAndBroadcastBatchesMatchPerMatrixProducts(int threads) {
        Parallel.setThreads(threads);
        Rng rng = new Rng(5);
        Tensor a = Tensor.randn(rng, 2, 3, 7, 5), b = Tensor.randn(rng, 3, 5, 4);
        Tensor c = a.matmul(b);
        assertThat(c.shape()).containsExactly(2, 3, 7, 4);
        for (int i = 0; i < 2; i++) {
            for (int h = 0; h < 3; h++) {
                float[] expected = naive(a.select(0, i).select(0, h).toArray(), b.select(0, h).toArray(), 7, 5, 4);
                assertClose(c.select(0, i).select(0, h).toArray(), expected, 5);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void largeSquareProduct(int threads) {
        Parallel.setThreads(threads);
        Rng rng = new Rng(11);
        int n = 300;
        Tensor a = Tensor.randn(rng, n, n), b = Tensor.randn(rng, n, n);
        assertClose(a.matmul(b).toArray(), naive(a.toArray(), b.toArray(), n, n, n), n);
    }
}
