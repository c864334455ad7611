package dev.zerolm.train;

import dev.zerolm.nn.Module;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checkpointing optimiser state by parameter name, and the AdamW decay/no-decay split. */
class OptimizerStateTest {

    /** A module built from named tensors and children, enough to give parameters GPT-like dotted names. */
    static final class Holder extends Module {
        Holder param(String name, Tensor t) {
            registerParameter(name, t);
            return this;
        }

        Holder child(String name, Module m) {
            registerModule(name, m);
            return this;
        }
    }

    /** wte (tied to lm_head), wpe, one block with ln_1, c_attn (weight, bias), and an untied extra projection. */
    static Holder tinyGpt(long seed) {
        Rng rng = new Rng(seed);
        Tensor wte = Tensor.randn(rng, 0f, 0.5f, 7, 4);
        Holder block = new Holder()
                .child("ln_1", new Holder().param("weight", Tensor.randn(rng, 1f, 0.1f, 4)).param("bias", Tensor.randn(rng, 0f, 0.1f, 4)))
                .child("attn", new Holder().child("c_attn", new Holder()
                        .param("weight", Tensor.randn(rng, 0f, 0.5f, 12, 4)).param("bias", Tensor.randn(rng, 0f, 0.1f, 12))));
        Holder transformer = new Holder()
                .child("wte", new Holder().param("weight", wte))
                .child("wpe", new Holder().param("weight", Tensor.randn(rng, 0f, 0.5f, 5, 4)))
                .child("h", new Holder().child("0", block));
        return new Holder().child("transformer", transformer).child("lm_head", new Holder().param("weight", wte));
    }

    /** Gives every parameter a deterministic pseudo-gradient that depends on the step and its values. */
    static void fakeGradients(Module model, int step) {
        Rng rng = new Rng(1000 + step);
        for (Tensor p : model.parameters()) {
            float[] v = p.toArray();
            float[] g = new float[v.length];
            for (int i = 0; i < g.length; i++) g[i] = 0.3f * v[i] + (float) rng.nextGaussian();
            p.setGrad(Tensor.of(g, p.shape()));
        }
    }

    static void train(Module model, Optimizer opt, LrSchedule schedule, int from, int to) {
        for (int step = from; step < to; step++) {
            opt.setLearningRate(schedule.lr(step));
            fakeGradients(model, step);
            GradClip.clipGlobalNorm(opt.parameters(), 5f);
            opt.step();
            opt.zeroGrad();
        }
    }

    static Map<String, float[]> values(Module model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> out.put(k, v.toArray()));
        return out;
    }

    void assertResumeIsExact(Function<Module, Optimizer> make) {
        LrSchedule schedule = new LrSchedule.WarmupCosine(0.05f, 0.005f, 2, 8);
        Holder uninterrupted = tinyGpt(1);
        train(uninterrupted, make.apply(uninterrupted), schedule, 0, 6);

        Holder first = tinyGpt(1);
        Optimizer opt = make.apply(first);
        train(first, opt, schedule, 0, 3);
        Map<String, Tensor> optimizerState = opt.stateDict(first);
        Map<String, Tensor> modelState = new LinkedHashMap<>(); // Module.stateDict() holds the live tensors: copy them
        first.stateDict().forEach((k, v) -> modelState.put(k, Tensor.of(v.toArray(), v.shape())));
        train(first, opt, schedule, 3, 4); // the saved state must be a snapshot, untouched by later steps

        Holder resumed = tinyGpt(2); // different values, overwritten by the checkpoint
        resumed.loadStateDict(modelState, true);
        Optimizer again = make.apply(resumed);
        again.loadStateDict(optimizerState, resumed);
        assertThat(again.stepCount()).isEqualTo(3);
        train(resumed, again, schedule, 3, 6);

        Map<String, float[]> expected = values(uninterrupted), actual = values(resumed);
        for (String k : expected.keySet()) assertThat(actual.get(k)).as(k).containsExactly(expected.get(k));
    }

    @Test
    void adamWResumedFromSavedStateContinuesBitForBit() {
        assertResumeIsExact(m -> new AdamW(AdamW.defaultGroups(m, 0.1f), 0f));
    }

    @Test
    void adamResumedFromSavedStateContinuesBitForBit() {
        assertResumeIsExact(m -> new Adam(ParamGroup.single(m.parameters(), 0.01f), 0f));
    }

    @Test
    void sgdWithMomentumResumedFromSavedStateContinuesBitForBit() {
        assertResumeIsExact(m -> new SGD(ParamGroup.single(m.parameters(), 0.01f), 0f, 0.9f, true));
    }

    @Test
    void stateIsKeyedByParameterNameWithTiedWeightsOnce() {
        Holder model = tinyGpt(1);
        AdamW opt = new AdamW(AdamW.defaultGroups(model, 0.1f), 1e-3f);
        train(model, opt, new LrSchedule.Constant(1e-3f), 0, 2);
        Map<String, Tensor> state = opt.stateDict(model);
        assertThat(state).containsKeys("step", "lr", "step.transformer.wte.weight",
                "exp_avg.transformer.wte.weight", "exp_avg_sq.transformer.h.0.attn.c_attn.bias");
        assertThat(state.keySet()).noneMatch(k -> k.contains("lm_head"));
        assertThat(state).hasSize(2 + 3 * 6); // step, lr, and (step, exp_avg, exp_avg_sq) for 6 distinct tensors
        assertThat(state.get("step").item()).isEqualTo(2f);
        assertThat(state.get("exp_avg.transformer.wpe.weight").shape()).containsExactly(5, 4);
    }

    @Test
    void loadingStateOfAnotherOptimizerNamesTheStrayKeys() {
        Holder model = tinyGpt(1);
        SGD sgd = new SGD(ParamGroup.single(model.parameters(), 0f), 0.1f, 0.9f, false);
        train(model, sgd, new LrSchedule.Constant(0.1f), 0, 1);
        AdamW adamW = new AdamW(ParamGroup.single(model.parameters(), 0f), 0.1f);
        assertThatThrownBy(() -> adamW.loadStateDict(sgd.stateDict(model), model))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exp_avg.transformer.wte.weight");
    }

    @Test
    void loadingBufferOfWrongShapeNamesKeyAndShapes() {
        Holder model = tinyGpt(1);
        SGD sgd = new SGD(ParamGroup.single(model.parameters(), 0f), 0.1f, 0.9f, false);
        train(model, sgd, new LrSchedule.Constant(0.1f), 0, 1);
        Map<String, Tensor> state = new LinkedHashMap<>(sgd.stateDict(model));
        state.put("momentum_buffer.transformer.wpe.weight", Tensor.zeros(4, 5));
        assertThatThrownBy(() -> sgd.loadStateDict(state, model))
                .hasMessageContaining("momentum_buffer.transformer.wpe.weight").hasMessageContaining("(4,5)")
                .hasMessageContaining("(5,4)");
    }

    @Test
    void defaultGroupsDecayOnlyMatricesThatAreNotEmbeddings() {
        Holder model = tinyGpt(1);
        List<ParamGroup> groups = AdamW.defaultGroups(model, 0.1f);
        Map<Tensor, String> names = Optimizer.parameterNames(model);
        assertThat(groups).extracting(ParamGroup::name).containsExactly("decay", "no_decay");
        assertThat(groups.get(0).weightDecay()).isEqualTo(0.1f);
        assertThat(groups.get(1).weightDecay()).isZero();
        assertThat(groups.get(0).params()).extracting(names::get).containsExactly("transformer.h.0.attn.c_attn.weight");
        assertThat(groups.get(1).params()).extracting(names::get).containsExactly("transformer.wte.weight",
                "transformer.wpe.weight", "transformer.h.0.ln_1.weight", "transformer.h.0.ln_1.bias",
                "transformer.h.0.attn.c_attn.bias");
    }

    @Test
    void tiedWeightWithAnEmbeddingNameIsNotDecayedWhicheverNameComesFirst() {
        Tensor shared = Tensor.zeros(7, 4);
        Holder model = new Holder()
                .child("lm_head", new Holder().param("weight", shared))
                .child("embed_tokens", new Holder().param("weight", shared));
        List<ParamGroup> groups = AdamW.defaultGroups(model, 0.1f);
        assertThat(groups).hasSize(1);
        assertThat(groups.get(0).name()).isEqualTo("no_decay");
        assertThat(groups.get(0).params()).containsExactly(shared);
    }

    @Test
    void parameterInTwoGroupsIsRejected() {
        Tensor p = Tensor.zeros(3).requiresGrad(true);
        assertThatThrownBy(() -> new SGD(List.of(new ParamGroup("a", List.of(p), 1f, 0f), new ParamGroup("b", List.of(p), 1f, 0f)), 0.1f))
                .hasMessageContaining("'a'").hasMessageContaining("'b'");
    }

    @Test
    void zeroGradClearsEveryGradient() {
        Holder model = tinyGpt(1);
        SGD sgd = new SGD(ParamGroup.single(model.parameters(), 0f), 0.1f);
        fakeGradients(model, 0);
        sgd.zeroGrad();
        assertThat(model.parameters()).allMatch(p -> p.grad() == null);
    }
}
