package dev.zerolm.nn;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.zerolm.nn.MultiHeadSelfAttentionTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LayersTest {

    @Test
    void linearComputesXTimesWeightTransposedPlusBias() {
        var linear = new Linear(3, 2, true, new Rng(1));
        linear.loadStateDict(Map.of(
                "weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3),   // (out, in) as in PyTorch
                "bias", Tensor.of(new float[] {0.5f, -1}, 2)), true);
        Tensor y = linear.forward(Tensor.of(new float[] {1, 0, -1, 2, 1, 0}, 2, 1, 3));
        assertThat(y.shape()).containsExactly(2, 1, 2);
        assertThat(y.toArray()).containsExactly(-1.5f, -3f, 4.5f, 12f);
    }

    @Test
    void linearGradientsHaveTheParameterShapes() {
        var linear = new Linear(4, 3, true, new Rng(2));
        Tensor x = Tensor.randn(new Rng(3), 5, 4).requiresGrad(true);
        linear.forward(x).sum().backward();
        assertThat(linear.weight().grad().shape()).containsExactly(3, 4);
        assertThat(linear.bias().grad().toArray()).containsOnly(5f);       // d(sum)/d(bias) = number of rows
        assertThat(x.grad().shape()).containsExactly(5, 4);
    }

    @Test
    void linearWithoutBiasHasOnlyAWeightAndNamesBadInputs() {
        var linear = new Linear(4, 3, false, new Rng(4));
        assertThat(linear.namedParameters()).containsOnlyKeys("weight");
        assertThatThrownBy(() -> linear.forward(Tensor.zeros(2, 5)))
                .hasMessage("Linear(4 -> 3): input of shape (2,5) has last dim 5, expected 4");
    }

    @Test
    void embeddingLooksUpRows() {
        var emb = new Embedding(5, 3, new Rng(5));
        Tensor y = emb.forward(IntTensor.of(new int[] {4, 0, 4}, 1, 3));
        assertThat(y.shape()).containsExactly(1, 3, 3);
        assertThat(y.narrow(1, 0, 1).toArray()).containsExactly(emb.weight().narrow(0, 4, 1).toArray());
        assertThat(y.narrow(1, 2, 1).toArray()).containsExactly(emb.weight().narrow(0, 4, 1).toArray());
    }

    @Test
    void layerNormGivesZeroMeanUnitVarianceRows() {
        var ln = new LayerNorm(6, 1e-5f, true);
        Tensor y = ln.forward(Tensor.randn(new Rng(6), 3f, 4f, 4, 6));
        for (int r = 0; r < 4; r++) {
            Tensor row = y.select(0, r);
            assertThat(row.mean().item()).isCloseTo(0f, within(1e-5f));
            assertThat(row.var(0, false, 0).item()).isCloseTo(1f, within(1e-3f));
        }
        assertThat(new LayerNorm(6, 1e-5f, false).namedParameters()).containsOnlyKeys("weight");
    }

    @Test
    void rmsNormGivesUnitRootMeanSquareRows() {
        var norm = new RMSNorm(8, 1e-6f);
        Tensor y = norm.forward(Tensor.randn(new Rng(7), 1f, 3f, 3, 8));
        Tensor ms = y.mul(y).mean(-1, false);
        for (float v : ms.toArray()) assertThat(v).isCloseTo(1f, within(1e-4f));
        assertThat(norm.namedParameters()).containsOnlyKeys("weight");
    }

    @Test
    void dropoutZeroesAboutPAndRescalesOnlyWhileTraining() {
        var drop = new Dropout(0.25f, new Rng(8));
        Tensor x = Tensor.ones(10000);
        float[] y = drop.forward(x).toArray();
        int zeros = 0;
        for (float v : y) {
            if (v == 0f) zeros++;
            else assertThat(v).isCloseTo(1 / 0.75f, within(1e-6f));
        }
        assertThat(zeros / 10000.0).isCloseTo(0.25, within(0.02));
        drop.eval();
        assertThat(drop.forward(x)).isSameAs(x);
    }

    @Test
    void activationsFollowTheirFormulas() {
        Tensor x = Tensor.of(new float[] {-2, -0.5f, 0, 1.5f}, 4);
        float[] relu = Activation.RELU.apply(x).toArray(), silu = Activation.SILU.apply(x).toArray();
        float[] tanh = Activation.GELU_TANH.apply(x).toArray(), exact = Activation.GELU_EXACT.apply(x).toArray();
        float[] v = x.toArray();
        for (int i = 0; i < 4; i++) {
            double xi = v[i];
            assertThat(relu[i]).isEqualTo((float) Math.max(0, xi));
            assertThat((double) silu[i]).isCloseTo(xi / (1 + Math.exp(-xi)), within(1e-6));
            double t = 0.5 * xi * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (xi + 0.044715 * xi * xi * xi)));
            assertThat((double) tanh[i]).isCloseTo(t, within(1e-6));
            assertThat((double) exact[i]).isCloseTo(t, within(1e-3));          // the two GELUs nearly agree
        }
    }

    @Test
    void feedForwardIsFourTimesWideWithNanoGptNames() {
        var mlp = FeedForwardKind.MLP.create(8, true, Activation.GELU_TANH, 0f, new Rng(9));
        assertThat(mlp.namedParameters().keySet()).containsExactly("c_fc.weight", "c_fc.bias", "c_proj.weight", "c_proj.bias");
        assertThat(mlp.namedParameters().get("c_fc.weight").shape()).containsExactly(32, 8);
        assertThat(mlp.forward(Tensor.zeros(2, 3, 8)).shape()).containsExactly(2, 3, 8);
    }

    @Test
    void swiGluMultipliesTheSiluGateWithTheUpProjection() {
        var swiglu = new SwiGLU(4, 8, false, 0f, new Rng(10));
        Map<String, Tensor> p = swiglu.namedParameters();
        assertThat(p.keySet()).containsExactly("w1.weight", "w2.weight", "w3.weight");
        Tensor x = Tensor.randn(new Rng(11), 2, 4);
        Tensor gate = x.matmul(p.get("w1.weight").t()), up = x.matmul(p.get("w3.weight").t());
        Tensor expected = gate.mul(gate.sigmoid()).mul(up).matmul(p.get("w2.weight").t());
        assertClose(swiglu.forward(x), expected, 1e-6f);
        assertThat(SwiGLU.defaultHidden(384)).isEqualTo(1024);
    }

    @Test
    void moduleListNamesChildrenByIndex() {
        var list = new ModuleList<Linear>().add(new Linear(2, 2, false, new Rng(12))).add(new Linear(2, 3, true, new Rng(13)));
        assertThat(list.namedParameters().keySet()).containsExactly("0.weight", "1.weight", "1.bias");
        assertThat(list.size()).isEqualTo(2);
        assertThat(list.get(1).outFeatures()).isEqualTo(3);
    }
}
