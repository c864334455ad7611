package dev.zerolm.train;

import dev.zerolm.tensor.Tensor;

import java.util.List;

/**
 * Adam (Kingma and Ba) with bias correction, as torch.optim.Adam. A group's weight decay is L2 regularisation
 * added to the gradient, so it passes through the moment estimates; {@link AdamW} decouples it instead.
 */
public final class Adam extends Optimizer {

    private final float beta1, beta2, eps;

    public Adam(List<ParamGroup> groups, float lr, float beta1, float beta2, float eps) {
        super("Adam", groups, lr, List.of("exp_avg", "exp_avg_sq"));
        checkHyperParameters("Adam", beta1, beta2, eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8. */
    public Adam(List<ParamGroup> groups, float lr) {
        this(groups, lr, 0.9f, 0.999f, 1e-8f);
    }

    static void checkHyperParameters(String kind, float beta1, float beta2, float eps) {
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException(kind + ": beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException(kind + ": beta2 must be in [0, 1), got " + beta2);
        if (!(eps >= 0)) throw new IllegalArgumentException(kind + ": eps must be >= 0, got " + eps);
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamState state, double lr, double weightDecay) {
        AdamKernel.update(param, grad, state.buffer(0), state.buffer(1), state.step(), lr, weightDecay,
                widen(beta1), widen(beta2), widen(eps), false);
    }
}
