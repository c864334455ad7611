package dev.zerolm.tensor;

import java.util.function.Function;

import static org.assertj.core.api.Assertions.fail;

/**
 * Compares autograd gradients with central finite differences. The loss is sum(f(inputs) * r) for a fixed
 * random r, accumulated in double so that only the op's own float rounding limits the comparison.
 */
final class GradCheck {

    private GradCheck() {}

    static void check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(name, f, 1e-2f, 2e-2, 2e-3, inputs);
    }

    static void check(String name, Function<Tensor[], Tensor> f, float eps, double rtol, double atol, Tensor... inputs) {
        Rng rng = new Rng(1234);
        for (Tensor in : inputs) in.requiresGrad(true).zeroGrad();
        Tensor out = f.apply(inputs);
        Tensor r = Tensor.randn(rng, out.shape());
        out.mul(r).sum().backward();
        float[] rv = r.toArray();
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            float[] analytic = in.grad() == null ? new float[in.numel()] : in.grad().toArray();
            float[] data = in.data();
            int n = in.numel();
            int stride = Math.max(1, n / 40); // check at most ~40 elements per input
            for (int i = 0; i < n; i += stride) {
                int p = in.offset() + i;
                float saved = data[p];
                data[p] = saved + eps;
                double plus = weighted(f.apply(detached(inputs)), rv);
                data[p] = saved - eps;
                double minus = weighted(f.apply(detached(inputs)), rv);
                data[p] = saved;
                double numeric = (plus - minus) / (2 * eps);
                double a = analytic[i];
                if (Math.abs(a - numeric) > atol + rtol * Math.max(Math.abs(a), Math.abs(numeric))) {
                    fail(name + ": input " + k + " element " + i + ": autograd " + a + " vs finite difference " + numeric);
                }
            }
        }
    }

    private static Tensor[] detached(Tensor[] inputs) {
        Tensor[] d = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) d[i] = inputs[i].detach();
        return d;
    }

    private static double weighted(Tensor out, float[] r) {
        float[] o = out.toArray();
        double s = 0;
        for (int i = 0; i < o.length; i++) s += (double) o[i] * r[i];
        return s;
    }
}
