package dev.zerolm.train;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GradAccumulationTest {

    static final Rng RNG = new Rng(11);
    static final Tensor X = Tensor.randn(RNG, 8, 3);      // 8 examples of 3 features
    static final Tensor TARGET = Tensor.randn(RNG, 8, 2);
    static final float[] W0 = Tensor.randn(RNG, 3, 2).toArray();

    /** Mean squared error of x @ w against the targets of rows [from, from + rows). */
    static Tensor loss(Tensor w, int from, int rows) {
        Tensor y = X.narrow(0, from, rows).matmul(w);                           // (rows, 3) @ (3, 2) -> (rows, 2)
        return y.sub(TARGET.narrow(0, from, rows)).pow(2f).mean();
    }

    @Test
    void fourMicroBatchesGiveTheSameStepAsOneFullBatch() {
        Tensor full = Tensor.of(W0.clone(), 3, 2).requiresGrad(true);
        var fullResult = GradAccumulation.step(new SGD(ParamGroup.single(List.of(full), 0f), 0.1f), 1, 0f, m -> loss(full, 0, 8));

        Tensor accumulated = Tensor.of(W0.clone(), 3, 2).requiresGrad(true);
        var microResult = GradAccumulation.step(new SGD(ParamGroup.single(List.of(accumulated), 0f), 0.1f), 4, 0f,
                m -> loss(accumulated, 2 * m, 2));

        assertThat(microResult.loss()).isCloseTo(fullResult.loss(), within(1e-6f));
        assertThat(microResult.gradNorm()).isCloseTo(fullResult.gradNorm(), within(1e-6));
        float[] a = accumulated.toArray(), b = full.toArray();
        for (int i = 0; i < a.length; i++) assertThat(a[i]).isCloseTo(b[i], within(1e-6f));
        assertThat(a).isNotEqualTo(W0);
        assertThat(accumulated.grad()).as("gradients are cleared after the step").isNull();
    }

    @Test
    void clippingLimitsTheUpdateToMaxNormTimesLr() {
        Tensor w = Tensor.of(W0.clone(), 3, 2).requiresGrad(true);
        var result = GradAccumulation.step(new SGD(ParamGroup.single(List.of(w), 0f), 1f), 2, 1e-3f, m -> loss(w, 4 * m, 4));
        assertThat(result.gradNorm()).isGreaterThan(1e-3);
        double moved = 0;
        float[] now = w.toArray();
        for (int i = 0; i < now.length; i++) moved += (now[i] - W0[i]) * (now[i] - W0[i]);
        assertThat(Math.sqrt(moved)).isCloseTo(1e-3, within(1e-6));
    }

    @Test
    void stepWithNonFiniteGradientIsSkipped() {
        Tensor w = Tensor.of(W0.clone(), 3, 2).requiresGrad(true);
        SGD sgd = new SGD(ParamGroup.single(List.of(w), 0f), 0.1f);
        var result = GradAccumulation.step(sgd, 1, 1f, m -> w.mul(Float.NaN).sum());
        assertThat(result.gradNorm()).isNaN();
        assertThat(w.toArray()).containsExactly(W0);
        assertThat(sgd.stepCount()).isZero();
    }
}
