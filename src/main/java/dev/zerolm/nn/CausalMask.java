package dev.zerolm.nn;

import dev.zerolm.tensor.Tensor;

/**
 * The causal mask for the composed attention path, 1 where a key lies in a query's future (above the diagonal).
 * Built once for the longest length seen and handed out as views, so a forward pass does not rebuild it. Shared
 * by every layer and thread: a mask is never changed once built, only replaced by a larger one.
 */
final class CausalMask {

    private static volatile Tensor mask; // (n, n)

    private CausalMask() {}

    /**
     * The rows of queries at positions [queryStart, queryStart + T) over keys [0, queryStart + T): (T, queryStart + T).
     * Null for a single query, which may see every key before it.
     */
    static Tensor futureKeys(int queryStart, int T) {
        if (T == 1) return null;
        int n = queryStart + T;
        Tensor m = mask;
        if (m == null || m.size(0) < n) {
            m = build(m == null ? n : Math.max(n, 2 * m.size(0)));
            mask = m;
        }
        return m.narrow(0, queryStart, T).narrow(1, 0, n);
    }

    private static Tensor build(int n) {
        float[] m = new float[n * n];
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) m[i * n + j] = 1f;
        return Tensor.of(m, n, n);
    }
}
