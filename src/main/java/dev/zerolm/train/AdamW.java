package dev.zerolm.train;

import dev.zerolm.nn.Module;
import dev.zerolm.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as torch.optim.AdamW: before the Adam update each
 * parameter is shrunk by {@code p *= 1 - lr * wd}, so the decay does not pass through the moment estimates.
 */
public final class AdamW extends Optimizer {

    private final float beta1, beta2, eps;

    public AdamW(List<ParamGroup> groups, float lr, float beta1, float beta2, float eps) {
        super("AdamW", groups, lr, List.of("exp_avg", "exp_avg_sq"));
        Adam.checkHyperParameters("AdamW", beta1, beta2, eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** nanoGPT's settings: betas (0.9, 0.95), eps 1e-8. */
    public AdamW(List<ParamGroup> groups, float lr) {
        this(groups, lr, 0.9f, 0.95f, 1e-8f);
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamState state, double lr, double weightDecay) {
        AdamKernel.update(param, grad, state.buffer(0), state.buffer(1), state.step(), lr, weightDecay,
                widen(beta1), widen(beta2), widen(eps), true);
    }

    /**
     * Two groups over model's parameters: "decay" (weight decay {@code weightDecay}) and "no_decay" (none).
     * <p>Rule: a tensor is decayed only when it has 2 or more dims (the weight matrices of linear layers,
     * attention projections, MLPs, an untied lm_head). It is not decayed when it is 1-D (every bias, every
     * LayerNorm/RMSNorm weight) or when any of its names contains "wte", "wpe", "embed" or "norm" (token and
     * position embeddings, even though they are 2-D). A tied tensor (lm_head.weight = transformer.wte.weight)
     * has several names; one no-decay name is enough to keep it out of the decay group.
     * <p>This differs from nanoGPT, which decays every tensor with 2+ dims including the embeddings: ZeroLM
     * leaves embeddings undecayed by default, as biases and norms are. Empty groups are left out.
     */
    public static List<ParamGroup> defaultGroups(Module model, float weightDecay) {
        Map<Tensor, Boolean> noDecay = new IdentityHashMap<>();
        List<Tensor> order = new ArrayList<>();
        for (var e : model.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            if (!noDecay.containsKey(p)) order.add(p);
            noDecay.merge(p, isNoDecay(e.getKey(), p), Boolean::logicalOr); // tied: any no-decay name wins
        }
        List<Tensor> decay = new ArrayList<>(), rest = new ArrayList<>();
        for (Tensor p : order) (noDecay.get(p) ? rest : decay).add(p);
        List<ParamGroup> groups = new ArrayList<>();
        if (!decay.isEmpty()) groups.add(new ParamGroup("decay", decay, 1f, weightDecay));
        if (!rest.isEmpty()) groups.add(new ParamGroup("no_decay", rest, 1f, 0f));
        return groups;
    }

    /** True for biases, norm weights and embeddings (see {@link #defaultGroups}). */
    static boolean isNoDecay(String name, Tensor p) {
        if (p.rank() < 2) return true;
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("wte") || n.contains("wpe") || n.contains("embed") || n.contains("norm");
    }
}
