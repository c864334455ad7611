package dev.zerolm.nn;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.zerolm.nn.MultiHeadSelfAttentionTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

class CrossAttentionTest {

    @Test
    void queriesFromXAttendOverTheContextAndGradientsReachEverything() {
        var cross = new CrossAttention(8, 2, true, 0f, new Rng(1));
        assertThat(cross.namedParameters().keySet()).containsExactly(
                "c_q.weight", "c_q.bias", "c_kv.weight", "c_kv.bias", "c_proj.weight", "c_proj.bias");
        Tensor x = Tensor.randn(new Rng(2), 2, 3, 8).requiresGrad(true);
        Tensor context = Tensor.randn(new Rng(3), 2, 5, 8).requiresGrad(true);

        Attention.Output out = cross.attend(x, context, null);
        out.y().mul(Tensor.randn(new Rng(4), 2, 3, 8)).sum().backward();

        assertThat(out.y().shape()).containsExactly(2, 3, 8);
        assertThat(out.weights().shape()).containsExactly(2, 2, 3, 5);
        assertThat(maxAbs(x.grad())).isGreaterThan(0);
        assertThat(maxAbs(context.grad())).isGreaterThan(0);
        for (var p : cross.namedParameters().entrySet()) {
            assertThat(maxAbs(p.getValue().grad())).as(p.getKey()).isGreaterThan(0);
        }
    }

    @Test
    void crossAttentionOverItselfEqualsBidirectionalSelfAttentionWithTheSameWeights() {
        var self = new MultiHeadSelfAttention(8, 2, true, 0f, false, null, new Rng(5));
        var cross = new CrossAttention(8, 2, true, 0f, new Rng(6));
        Map<String, Tensor> s = self.stateDict();
        cross.loadStateDict(Map.of(
                "c_q.weight", s.get("c_attn.weight").narrow(0, 0, 8), "c_q.bias", s.get("c_attn.bias").narrow(0, 0, 8),
                "c_kv.weight", s.get("c_attn.weight").narrow(0, 8, 16), "c_kv.bias", s.get("c_attn.bias").narrow(0, 8, 16),
                "c_proj.weight", s.get("c_proj.weight"), "c_proj.bias", s.get("c_proj.bias")), true);
        Tensor x = Tensor.randn(new Rng(7), 2, 4, 8);
        assertClose(cross.forward(x, x), self.forward(x), 1e-6f);
    }

    @Test
    void fusedForwardMatchesTheComposedAttendOverALongerContext() {
        var cross = new CrossAttention(8, 2, true, 0f, new Rng(11));
        Tensor x = Tensor.randn(new Rng(12), 2, 3, 8);
        Tensor context = Tensor.randn(new Rng(13), 2, 75, 8);
        assertClose(cross.forward(x, context), cross.attend(x, context, null).y(), 1e-5f);
    }

    @Test
    void paddedContextTokensAreIgnored() {
        var cross = new CrossAttention(8, 2, true, 0f, new Rng(8));
        Tensor x = Tensor.randn(new Rng(9), 1, 2, 8);
        Tensor context = Tensor.randn(new Rng(10), 1, 4, 8);
        Tensor mask = Tensor.of(new float[] {1, 1, 1, 0}, 1, 4);
        Attention.Output a = cross.attend(x, context, mask);
        Tensor other = context.copy();
        other.narrow(1, 3, 1).fill(5f);
        assertClose(cross.attend(x, other, mask).y(), a.y(), 1e-6f);
        assertThat(a.weights().get(0, 1, 1, 3)).isZero();
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (float v : t.toArray()) m = Math.max(m, Math.abs(v));
        return m;
    }
}
