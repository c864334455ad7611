package dev.zerolm.train;

import dev.zerolm.tensor.Tensor;

/**
 * The update shared by {@link Adam} and {@link AdamW}, in the order PyTorch 1.13's single-tensor Adam computes it,
 * so results agree to float32 rounding:
 * <pre>
 *   Adam:  g = grad + wd * p            AdamW:  p = p * (1 - lr * wd)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g * g
 *   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
 *   p = p - (lr / (1 - beta1^t)) * m / denom
 * </pre>
 * where t is the parameter's own update count.
 */
final class AdamKernel {

    private AdamKernel() {}

    static void update(Tensor param, Tensor grad, float[] m, float[] v, long t, double lr, double weightDecay,
                       double beta1, double beta2, double eps, boolean decoupled) {
        float[] p = param.data(), g = grad.data();
        int po = param.offset(), go = grad.offset();
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2 = 1 - Math.pow(beta2, t);
        float b1 = (float) beta1, oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2, oneMinusB2 = (float) (1 - beta2);
        float negStepSize = (float) -(lr / biasCorrection1);
        float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
        float epsF = (float) eps;
        float l2 = decoupled ? 0f : (float) weightDecay;
        float decayFactor = decoupled ? (float) (1 - lr * weightDecay) : 1f;
        boolean decay = weightDecay != 0;
        Optimizer.forElements(param.numel(), (start, end) -> {
            for (int i = start; i < end; i++) {
                float pi = p[po + i], gi = g[go + i];
                if (decay) {
                    if (decoupled) pi = pi * decayFactor;
                    else gi = gi + l2 * pi;
                }
                float mi = m[i] * b1 + oneMinusB1 * gi;
                float vi = v[i] * b2 + oneMinusB2 * gi * gi;
                m[i] = mi;
                v[i] = vi;
                float denom = (float) Math.sqrt(vi) / bc2Sqrt + epsF;
                p[po + i] = pi + negStepSize * mi / denom;
            }
        });
    }
}
