package dev.zerolm.train;

import dev.zerolm.tensor.Tensor;

import java.util.List;

/**
 * Parameters that share optimiser settings, as in a PyTorch param group. The group's learning rate is the
 * optimiser's current one times {@code lrScale}, so a scheduler sets one number and every group follows it.
 *
 * @param name        shown in errors and logs ("decay", "no_decay", ...)
 * @param params      the tensors this group updates
 * @param lrScale     multiplies the optimiser's learning rate for this group (1 = the same)
 * @param weightDecay decay coefficient: L2 added to the gradient for SGD and Adam, decoupled for AdamW
 */
public record ParamGroup(String name, List<Tensor> params, float lrScale, float weightDecay) {

    public ParamGroup {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("ParamGroup: a group needs a name");
        params = List.copyOf(params);
        if (!(lrScale >= 0)) throw new IllegalArgumentException("ParamGroup '" + name + "': lrScale must be >= 0, got " + lrScale);
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("ParamGroup '" + name + "': weightDecay must be >= 0, got " + weightDecay);
        }
    }

    /** One group holding every parameter, at the optimiser's learning rate. */
    public static List<ParamGroup> single(List<Tensor> params, float weightDecay) {
        return List.of(new ParamGroup("all", params, 1f, weightDecay));
    }

    public long numel() {
        long n = 0;
        for (Tensor p : params) n += p.numel();
        return n;
    }
}
