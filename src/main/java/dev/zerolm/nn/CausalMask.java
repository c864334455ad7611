package dev.zerolm.nn;

import dev.zerolm.tensor.Tensor;

/**
 * The causal mask, 1 where a key lies in a query's future (above the diagonal). Built once for the longest
 * length seen and handed out as views, so a forward pass does not rebuild it.
 */
final class CausalMask {

    private Tensor mask; // (n, n)

    /**
     * The rows of queries at positions [queryStart, queryStart + T) over keys [0, queryStart + T): (T, queryStart + T).
     * Null for a single query, which may see every key before it.
     */
    Tensor futureKeys(int queryStart, int T) {
        if (T == 1) return null;
        int n = queryStart + T;
        if (mask == null || mask.size(0) < n) mask = build(mask == null ? n : Math.max(n, 2 * mask.size(0)));
        return mask.narrow(0, queryStart, T).narrow(1, 0, n);
    }

    private static Tensor build(int n) {
        float[] m = new float[n * n];
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) m[i * n + j] = 1f;
        return Tensor.of(m, n, n);
    }
}
