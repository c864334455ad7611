package dev.zerolm.nn;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PositionalEncodingTest {

    @Test
    void rotaryKeepsShapeAndPreservesTheNormOfEveryHeadVector() {
        var rope = new RotaryEmbedding(8, 32, 10000f);
        Tensor x = Tensor.randn(new Rng(1), 2, 3, 5, 8);
        Tensor y = rope.apply(x, 7);
        assertThat(y.shape()).containsExactly(2, 3, 5, 8);
        Tensor nx = x.mul(x).sum(-1, false), ny = y.mul(y).sum(-1, false);
        float[] a = nx.toArray(), b = ny.toArray();
        for (int i = 0; i < a.length; i++) assertThat(b[i]).isCloseTo(a[i], within(1e-5f * a[i]));
    }

    @Test
    void rotaryAtPositionZeroIsTheIdentity() {
        var rope = new RotaryEmbedding(4, 8, 10000f);
        Tensor x = Tensor.randn(new Rng(2), 1, 1, 1, 4);
        assertThat(rope.apply(x, 0).toArray()).containsExactly(x.toArray());
    }

    @Test
    void rotaryRotatesPairsOfHalvesByPositionTimesFrequency() {
        int hs = 6;
        float theta = 500f;
        var rope = new RotaryEmbedding(hs, 16, theta);
        Tensor x = Tensor.randn(new Rng(3), 1, 1, 1, hs);
        int pos = 5;
        float[] v = x.toArray(), y = rope.apply(x, pos).toArray();
        for (int i = 0; i < hs / 2; i++) { // the pair (x[i], x[i + hs/2]) turns by pos * theta^(-2i/hs)
            double a = pos * Math.pow(theta, -2.0 * i / hs);
            double x1 = v[i], x2 = v[i + hs / 2];
            assertThat((double) y[i]).isCloseTo(x1 * Math.cos(a) - x2 * Math.sin(a), within(1e-5));
            assertThat((double) y[i + hs / 2]).isCloseTo(x2 * Math.cos(a) + x1 * Math.sin(a), within(1e-5));
        }
    }

    @Test
    void rotaryQueryKeyDotProductDependsOnlyOnTheirOffset() {
        var rope = new RotaryEmbedding(8, 64, 10000f);
        Rng rng = new Rng(4);
        Tensor q = Tensor.randn(rng, 1, 1, 1, 8), k = Tensor.randn(rng, 1, 1, 1, 8);
        double reference = dot(rope.apply(q, 9), rope.apply(k, 4));         // m - n = 5
        for (int shift : new int[] {1, 10, 37, 54}) {
            double shifted = dot(rope.apply(q, 9 + shift), rope.apply(k, 4 + shift));
            assertThat(shifted).isCloseTo(reference, within(1e-4));
        }
        assertThat(dot(rope.apply(q, 9), rope.apply(k, 2))).isNotCloseTo(reference, within(1e-3)); // m - n = 7
    }

    @Test
    void rotaryGradientIsTheInverseRotation() {
        // Rotation is orthogonal, so the gradient of |R x|^2 / 2 with respect to x is x itself.
        var rope = new RotaryEmbedding(8, 16, 10000f);
        Tensor x = Tensor.randn(new Rng(5), 2, 2, 4, 8).requiresGrad(true);
        Tensor y = rope.apply(x, 3);
        y.mul(y).sum().mul(0.5f).backward();
        float[] g = x.grad().toArray(), v = x.toArray();
        for (int i = 0; i < g.length; i++) assertThat(g[i]).isCloseTo(v[i], within(1e-5f));
    }

    @Test
    void rotaryRejectsPositionsBeyondItsTable() {
        var rope = new RotaryEmbedding(4, 8, 10000f);
        assertThatThrownBy(() -> rope.apply(Tensor.zeros(1, 1, 3, 4), 6))
                .hasMessageContaining("positions [6, 9) exceed the table of 8 positions");
    }

    @Test
    void sinusoidalTableAlternatesSineAndCosineOfGeometricFrequencies() {
        var pe = new SinusoidalPositionalEncoding(20, 6);
        Tensor t = pe.forward(3, 4);                                       // positions 3..6
        assertThat(t.shape()).containsExactly(4, 6);
        for (int r = 0; r < 4; r++) {
            int pos = 3 + r;
            for (int i = 0; i < 3; i++) {
                double angle = pos / Math.pow(10000, 2.0 * i / 6);
                assertThat((double) t.get(r, 2 * i)).isCloseTo(Math.sin(angle), within(1e-6));
                assertThat((double) t.get(r, 2 * i + 1)).isCloseTo(Math.cos(angle), within(1e-6));
            }
        }
    }

    @Test
    void sinusoidalTableIsABufferNotAParameter() {
        var pe = new SinusoidalPositionalEncoding(10, 4);
        assertThat(pe.namedParameters()).isEmpty();
        assertThat(pe.stateDict()).containsOnlyKeys("pe");
        assertThat(pe.forward(0, 10).requiresGrad()).isFalse();
    }

    private static double dot(Tensor a, Tensor b) {
        return a.mul(b).sum().item();
    }
}
