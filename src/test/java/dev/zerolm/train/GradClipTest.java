package dev.zerolm.train;

import dev.zerolm.tensor.Parallel;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GradClipTest {

    static final SafetensorsF32 GOLDEN = SafetensorsF32.load("/golden/optim.safetensors");

    /** Parameters a (3,4) and b (5) holding the golden input gradients of a case. */
    static List<Tensor> paramsWithGrads(String kase) {
        Tensor a = Tensor.zeros(3, 4).requiresGrad(true), b = Tensor.zeros(5).requiresGrad(true);
        a.setGrad(GOLDEN.tensor(kase + ".in.a"));
        b.setGrad(GOLDEN.tensor(kase + ".in.b"));
        return List.of(a, b);
    }

    static void assertClose(Tensor actual, Tensor expected) {
        float[] x = actual.toArray(), e = expected.toArray();
        for (int i = 0; i < e.length; i++) assertThat(x[i]).isCloseTo(e[i], within(1e-6f * Math.max(1f, Math.abs(e[i]))));
    }

    @Test
    void clipReturnsTheNormBeforeClippingAndScalesGradsAsTorch() {
        List<Tensor> params = paramsWithGrads("clip");
        double norm = GradClip.clipGlobalNorm(params, 1f);
        double expected = GOLDEN.tensor("clip.total_norm").item();
        assertThat(norm).isGreaterThan(1).isCloseTo(expected, within(1e-6 * expected));
        assertClose(params.get(0).grad(), GOLDEN.tensor("clip.out.a"));
        assertClose(params.get(1).grad(), GOLDEN.tensor("clip.out.b"));
        assertThat(GradClip.globalNorm(params)).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void gradsBelowTheLimitAreLeftUnchanged() {
        List<Tensor> params = paramsWithGrads("noclip");
        double norm = GradClip.clipGlobalNorm(params, 100f);
        assertThat(norm).isCloseTo(GOLDEN.tensor("noclip.total_norm").item(), within(1e-5));
        assertThat(params.get(0).grad().toArray()).containsExactly(GOLDEN.tensor("noclip.in.a").toArray());
        assertThat(params.get(1).grad().toArray()).containsExactly(GOLDEN.tensor("noclip.in.b").toArray());
    }

    @Test
    void parametersWithoutGradientsAreIgnored() {
        Tensor a = Tensor.zeros(2).requiresGrad(true), none = Tensor.zeros(3).requiresGrad(true);
        a.setGrad(Tensor.of(new float[] {3, 4}, 2));
        assertThat(GradClip.clipGlobalNorm(List.of(a, none), 1f)).isEqualTo(5.0);
        assertThat(none.grad()).isNull();
        assertThat(a.grad().toArray()).containsExactly((float) (3 / (5 + 1e-6)), (float) (4 / (5 + 1e-6)));
    }

    @Test
    void nonFiniteNormIsReturnedAndGradsAreLeftAlone() {
        Tensor a = Tensor.zeros(2).requiresGrad(true);
        a.setGrad(Tensor.of(new float[] {Float.NaN, 1}, 2));
        assertThat(GradClip.clipGlobalNorm(List.of(a), 1f)).isNaN();
        assertThat(a.grad().get(1)).isEqualTo(1f);
    }

    @Test
    void normOfLargeTensorDoesNotDependOnThreadCount() {
        Tensor big = Tensor.zeros(200_003).requiresGrad(true);
        big.setGrad(Tensor.randn(new Rng(3), 200_003));
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            double one = GradClip.globalNorm(List.of(big));
            Parallel.setThreads(3);
            double three = GradClip.globalNorm(List.of(big));
            assertThat(three).isEqualTo(one);
            assertThat(one).isCloseTo(Math.sqrt(200_003), within(0.01 * Math.sqrt(200_003)));
        } finally {
            Parallel.setThreads(before);
        }
    }
}
