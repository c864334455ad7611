package dev.zerolm.train;

import dev.zerolm.tensor.Tensor;

import java.util.List;

/**
 * Stochastic gradient descent with optional momentum and Nesterov momentum, as torch.optim.SGD (dampening 0):
 * <pre>
 *   d = grad + wd * p
 *   buf = (first update) ? d : momentum * buf + d
 *   d = nesterov ? d + momentum * buf : buf          (when momentum > 0)
 *   p = p - lr * d
 * </pre>
 */
public final class SGD extends Optimizer {

    private final float momentum;
    private final boolean nesterov;

    public SGD(List<ParamGroup> groups, float lr, float momentum, boolean nesterov) {
        super("SGD", groups, lr, momentum > 0 ? List.of("momentum_buffer") : List.of());
        if (!(momentum >= 0)) throw new IllegalArgumentException("SGD: momentum must be >= 0, got " + momentum);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("SGD: Nesterov momentum needs momentum > 0");
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    /** Plain SGD: no momentum. */
    public SGD(List<ParamGroup> groups, float lr) {
        this(groups, lr, 0f, false);
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamState state, double lr, double weightDecay) {
        float[] p = param.data(), g = grad.data();
        int po = param.offset(), go = grad.offset();
        float negLr = (float) -lr, wd = (float) weightDecay, mu = (float) widen(momentum);
        boolean useMomentum = momentum > 0, first = state.step() == 1;
        float[] buf = useMomentum ? state.buffer(0) : null;
        forElements(param.numel(), (start, end) -> {
            for (int i = start; i < end; i++) {
                float d = g[go + i];
                if (wd != 0f) d = d + wd * p[po + i];
                if (useMomentum) {
                    float b = first ? d : buf[i] * mu + d;
                    buf[i] = b;
                    d = nesterov ? d + mu * b : b;
                }
                p[po + i] = p[po + i] + negLr * d;
            }
        });
    }
}
