package dev.zerolm.train;

import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SGD, Adam and AdamW against torch.optim on fixed gradient sequences (tools/golden/make_optim_golden.py):
 * two groups (W decayed; b, c not, at half the learning rate), a learning rate that changes every step, and
 * c without a gradient at step 2.
 */
class OptimizerGoldenTest {

    static final String[] NAMES = {"W", "b", "c"};
    static SafetensorsF32 golden;
    static int steps;

    @BeforeAll
    static void load() {
        golden = SafetensorsF32.load("/golden/optim.safetensors");
        steps = Integer.parseInt(golden.meta("steps"));
    }

    /** Fresh copies of the initial parameters, by name. */
    static Map<String, Tensor> initialParams() {
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (String n : NAMES) params.put(n, golden.tensor("init." + n).requiresGrad(true));
        return params;
    }

    static List<ParamGroup> groups(Map<String, Tensor> params) {
        float wd = Float.parseFloat(golden.meta("weight_decay"));
        float scale = Float.parseFloat(golden.meta("no_decay_lr_scale"));
        return List.of(new ParamGroup("decay", List.of(params.get("W")), 1f, wd),
                new ParamGroup("no_decay", List.of(params.get("b"), params.get("c")), scale, 0f));
    }

    /** Sets the golden gradients and learning rate of one step and steps. */
    static void goldenStep(Optimizer opt, Map<String, Tensor> params, int step) {
        opt.setLearningRate(golden.tensor("lr").get(step));
        for (String n : NAMES) {
            boolean skipped = n.equals("c") && step == 2;
            params.get(n).setGrad(skipped ? null : golden.tensor("grad." + step + "." + n));
        }
        opt.step();
    }

    /** Max |actual - expected| over the tensor, relative to max |expected|. */
    static double relativeError(Tensor actual, Tensor expected) {
        float[] a = actual.toArray(), e = expected.toArray();
        double maxDiff = 0, maxAbs = 0;
        for (int i = 0; i < e.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - e[i]));
            maxAbs = Math.max(maxAbs, Math.abs(e[i]));
        }
        return maxDiff / maxAbs;
    }

    void assertMatchesTorch(String kase, Function<List<ParamGroup>, Optimizer> make) {
        Map<String, Tensor> params = initialParams();
        Optimizer opt = make.apply(groups(params));
        for (int step = 0; step < steps; step++) {
            goldenStep(opt, params, step);
            for (String n : NAMES) {
                String key = kase + "." + step + "." + n;
                assertThat(relativeError(params.get(n), golden.tensor(key))).as(key).isLessThanOrEqualTo(1e-6);
            }
        }
        assertThat(opt.stepCount()).isEqualTo(steps);
    }

    @Test
    void plainSgdMatchesTorch() {
        assertMatchesTorch("sgd", g -> new SGD(g, 0.1f));
    }

    @Test
    void sgdWithMomentumMatchesTorch() {
        assertMatchesTorch("sgd_momentum", g -> new SGD(g, 0.1f, 0.9f, false));
    }

    @Test
    void sgdWithNesterovMomentumMatchesTorch() {
        assertMatchesTorch("sgd_nesterov", g -> new SGD(g, 0.1f, 0.9f, true));
    }

    @Test
    void adamWithL2WeightDecayMatchesTorch() {
        assertMatchesTorch("adam", g -> new Adam(g, 0.1f, 0.9f, 0.999f, 1e-8f));
    }

    @Test
    void adamWWithDecoupledWeightDecayMatchesTorch() {
        assertMatchesTorch("adamw", g -> new AdamW(g, 0.1f, 0.9f, 0.95f, 1e-8f));
    }

    @Test
    void parameterWithoutGradientIsSkippedAndKeepsItsOwnStepCount() {
        Map<String, Tensor> params = initialParams();
        AdamW opt = new AdamW(groups(params), 0.1f);
        for (int step = 0; step < 3; step++) goldenStep(opt, params, step);
        assertThat(opt.stateOf(params.get("W")).step()).isEqualTo(3);
        assertThat(opt.stateOf(params.get("c")).step()).isEqualTo(2);
        assertThat(params.get("c").toArray()).containsExactly(golden.tensor("adamw.1.c").toArray());
    }
}
