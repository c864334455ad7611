package dev.zerolm.tensor.kernels;

import dev.zerolm.tensor.Parallel;

/** Placeholder GEMM (simple loops); replaced by the packed Vector API kernel. */
public final class Gemm {

    private Gemm() {}

    public static void gemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                            float[] A, int offA, int lda, float[] B, int offB, int ldb,
                            float beta, float[] C, int offC, int ldc) {
        Parallel.forRange(M, Math.max(1, 65536 / Math.max(1, N * K)), (lo, hi) -> {
            float[] row = new float[N];
            for (int i = lo; i < hi; i++) {
                java.util.Arrays.fill(row, 0f);
                for (int k = 0; k < K; k++) {
                    float av = transA ? A[offA + k * lda + i] : A[offA + i * lda + k];
                    if (transB) for (int j = 0; j < N; j++) row[j] += av * B[offB + j * ldb + k];
                    else for (int j = 0; j < N; j++) row[j] += av * B[offB + k * ldb + j];
                }
                for (int j = 0; j < N; j++) {
                    int c = offC + i * ldc + j;
                    C[c] = beta == 0f ? alpha * row[j] : alpha * row[j] + beta * C[c];
                }
            }
        });
    }
}
