package dev.zerolm.tensor;

import dev.zerolm.autograd.GradMode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TensorTest {

    @Test
    void creationFunctionsFillAsDocumented() {
        assertThat(Tensor.zeros(2, 3).toArray()).containsOnly(0f).hasSize(6);
        assertThat(Tensor.ones(4).toArray()).containsOnly(1f);
        assertThat(Tensor.full(2.5f, 2, 2).toArray()).containsOnly(2.5f);
        assertThat(Tensor.arange(0, 1, 0.25f).toArray()).containsExactly(0f, 0.25f, 0.5f, 0.75f);
        assertThat(Tensor.arange(3).shape()).containsExactly(3);
        assertThat(Tensor.scalar(3f).item()).isEqualTo(3f);
    }

    @Test
    void seededRandomIsReproducibleAndIndependentOfThreadCount() {
        float[] a = Tensor.randn(new Rng(42), 1000).toArray();
        int saved = Parallel.threads();
        Parallel.setThreads(1);
        float[] b = Tensor.randn(new Rng(42), 1000).toArray();
        Parallel.setThreads(saved);
        assertThat(a).containsExactly(b);
        double mean = 0, var = 0;
        for (float v : a) mean += v / a.length;
        for (float v : a) var += (v - mean) * (v - mean) / a.length;
        assertThat(mean).isCloseTo(0, within(0.1));
        assertThat(var).isCloseTo(1, within(0.15));
        float[] u = Tensor.rand(new Rng(1), -1f, 1f, 1000).toArray();
        for (float v : u) assertThat(v).isBetween(-1f, 1f);
    }

    @Test
    void rngStateRoundTripsExactly() {
        Rng r = new Rng(9);
        r.nextGaussian();
        long[] state = r.state();
        double next = r.nextGaussian();
        Rng copy = new Rng(0);
        copy.setState(state);
        assertThat(copy.nextGaussian()).isEqualTo(next);
    }

    @Test
    void viewsShareStorageAndContiguousCopiesOnlyWhenNeeded() {
        Tensor x = Tensor.arange(24).reshape(2, 3, 4);
        Tensor t = x.transpose(0, 2);
        assertThat(t.storage()).isSameAs(x.storage());
        assertThat(t.shape()).containsExactly(4, 3, 2);
        assertThat(t.get(3, 1, 0)).isEqualTo(x.get(0, 1, 3));
        assertThat(t.isContiguous()).isFalse();
        assertThat(t.contiguous().storage()).isNotSameAs(x.storage());
        assertThat(x.contiguous()).isSameAs(x);
        Tensor n = x.narrow(2, 1, 2);
        assertThat(n.storage()).isSameAs(x.storage());
        assertThat(n.toArray()).startsWith(1f, 2f, 5f, 6f);
        Tensor e = Tensor.of(new float[] {1, 2, 3}, 3, 1).expand(3, 4);
        assertThat(e.strides()).containsExactly(1, 0);
        assertThat(e.toArray()).containsExactly(1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
        assertThat(x.permute(1, 2, 0).shape()).containsExactly(3, 4, 2);
        assertThat(x.unsqueeze(1).shape()).containsExactly(2, 1, 3, 4);
        assertThat(x.unsqueeze(1).squeeze(1).shape()).containsExactly(2, 3, 4);
        assertThat(x.reshape(-1, 4).shape()).containsExactly(6, 4);
        assertThat(x.view(6, 4).storage()).isSameAs(x.storage());
    }

    @Test
    void viewRefusesNonContiguousButReshapeCopies() {
        Tensor x = Tensor.arange(6).reshape(2, 3).t();
        assertThatThrownBy(() -> x.view(6)).hasMessageContaining("view").hasMessageContaining("not contiguous");
        assertThat(x.reshape(6).toArray()).containsExactly(0, 3, 1, 4, 2, 5);
    }

    @Test
    void elementwiseValuesMatchHandComputation() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.of(new float[] {10, 20}, 2);
        assertThat(a.add(b).toArray()).containsExactly(11, 22, 13, 24);
        assertThat(a.sub(b).toArray()).containsExactly(-9, -18, -7, -16);
        assertThat(a.mul(b.unsqueeze(1)).toArray()).containsExactly(10, 20, 60, 80);
        assertThat(a.div(2f).toArray()).containsExactly(0.5f, 1, 1.5f, 2);
        assertThat(a.pow(2f).toArray()).containsExactly(1, 4, 9, 16);
        assertThat(Tensor.of(new float[] {-1, 0, 2}, 3).relu().toArray()).containsExactly(0, 0, 2);
        assertThat(Tensor.scalar(0f).sigmoid().item()).isEqualTo(0.5f);
        assertThat(Tensor.scalar(1f).gelu().item()).isCloseTo(0.841192f, within(1e-6f));
        assertThat(Tensor.scalar(1f).geluExact().item()).isCloseTo(0.841345f, within(1e-6f));
        assertThat(Tensor.scalar(1f).silu().item()).isCloseTo(0.731059f, within(1e-6f));
    }

    @Test
    void reductionsWithKeepDim() {
        Tensor x = Tensor.arange(6).reshape(2, 3);
        assertThat(x.sum(1, false).toArray()).containsExactly(3, 12);
        assertThat(x.sum(1, true).shape()).containsExactly(2, 1);
        assertThat(x.mean(0, false).toArray()).containsExactly(1.5f, 2.5f, 3.5f);
        assertThat(x.max(1, false).toArray()).containsExactly(2, 5);
        assertThat(x.var(1, false, 1).toArray()).containsExactly(1, 1);
        assertThat(x.var(1, false, 0).get(0)).isCloseTo(2f / 3, within(1e-6f));
        assertThat(x.argmax(0, false).data()).containsExactly(1, 1, 1);
        assertThat(x.sum().item()).isEqualTo(15f);
        assertThat(x.sum().shape()).isEmpty();
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        Tensor x = Tensor.of(new float[] {1000, 1001, 1002}, 3);
        float[] p = x.softmax(0).toArray();
        assertThat(p[0] + p[1] + p[2]).isCloseTo(1f, within(1e-6f));
        assertThat(p[2]).isCloseTo(0.665241f, within(1e-5f));
        assertThat(x.logSoftmax(0).toArray()[2]).isCloseTo(-0.407606f, within(1e-5f));
    }

    @Test
    void catStackSplitChunk() {
        Tensor a = Tensor.arange(4).reshape(2, 2), b = Tensor.arange(2).reshape(2, 1);
        assertThat(Tensor.cat(List.of(a, b), 1).toArray()).containsExactly(0, 1, 0, 2, 3, 1);
        assertThat(Tensor.stack(List.of(a, a), 0).shape()).containsExactly(2, 2, 2);
        List<Tensor> parts = Tensor.arange(7).split(3, 0);
        assertThat(parts).hasSize(3);
        assertThat(parts.get(2).toArray()).containsExactly(6);
        assertThat(Tensor.arange(6).chunk(3, 0).get(1).toArray()).containsExactly(2, 3);
    }

    @Test
    void indexingOpsPickTheRightElements() {
        Tensor x = Tensor.arange(12).reshape(3, 4);
        assertThat(x.indexSelect(0, IntTensor.vector(2, 0)).toArray()).containsExactly(8, 9, 10, 11, 0, 1, 2, 3);
        assertThat(x.gather(1, IntTensor.of(new int[] {3, 0, 1}, 3, 1)).toArray()).containsExactly(3, 4, 9);
        Tensor causal = Tensor.of(new float[] {0, 1, 0, 0}, 2, 2);
        assertThat(Tensor.ones(2, 2).maskedFill(causal, Float.NEGATIVE_INFINITY).toArray())
                .containsExactly(1, Float.NEGATIVE_INFINITY, 1, 1);
        assertThat(Tensor.where(Tensor.of(new float[] {1, 0}, 2), Tensor.ones(2), Tensor.zeros(2)).toArray())
                .containsExactly(1, 0);
        Tensor w = Tensor.arange(6).reshape(3, 2);
        assertThat(NNOps.embedding(w, IntTensor.vector(2, 2, 0)).toArray()).containsExactly(4, 5, 4, 5, 0, 1);
    }

    @Test
    void crossEntropyIgnoresTargetsAndReduces() {
        Tensor logits = Tensor.zeros(3, 4); // uniform: each counted row costs log(4)
        IntTensor t = IntTensor.vector(1, -100, 2);
        float mean = NNOps.crossEntropy(logits, t, -100, NNOps.Reduction.MEAN).item();
        float sum = NNOps.crossEntropy(logits, t, -100, NNOps.Reduction.SUM).item();
        assertThat(mean).isCloseTo((float) Math.log(4), within(1e-6f));
        assertThat(sum).isCloseTo((float) (2 * Math.log(4)), within(1e-5f));
    }

    @Test
    void dropoutIsIdentityInEvalAndScalesInTraining() {
        Tensor x = Tensor.ones(10000);
        assertThat(NNOps.dropout(x, 0.5f, false, new Rng(1))).isSameAs(x);
        float[] y = NNOps.dropout(x, 0.25f, true, new Rng(1)).toArray();
        int zeros = 0;
        for (float v : y) {
            if (v == 0) zeros++;
            else assertThat(v).isCloseTo(4f / 3, within(1e-6f));
        }
        assertThat(zeros / 10000.0).isCloseTo(0.25, within(0.02));
    }

    @Test
    void errorsNameTheOperationAndShapes() {
        Tensor a = Tensor.zeros(4, 7), b = Tensor.zeros(8, 3);
        assertThatThrownBy(() -> a.matmul(b)).isInstanceOf(ShapeException.class)
                .hasMessageContaining("matmul").hasMessageContaining("(4,7)").hasMessageContaining("(8,3)");
        assertThatThrownBy(() -> a.add(Tensor.zeros(3))).hasMessageContaining("add").hasMessageContaining("(4,7)")
                .hasMessageContaining("(3,)");
        assertThatThrownBy(() -> a.sum(2, false)).hasMessageContaining("sum").hasMessageContaining("dim 2");
        assertThatThrownBy(() -> a.reshape(5, 5)).hasMessageContaining("reshape").hasMessageContaining("(4,7)");
        assertThatThrownBy(() -> a.narrow(1, 5, 3)).hasMessageContaining("narrow").hasMessageContaining("(4,7)");
        assertThatThrownBy(() -> NNOps.embedding(a, IntTensor.vector(9))).hasMessageContaining("embedding")
                .hasMessageContaining("id 9");
        assertThatThrownBy(() -> NNOps.crossEntropy(a, IntTensor.vector(0, 1, 2, 7), -100, NNOps.Reduction.MEAN))
                .hasMessageContaining("cross_entropy").hasMessageContaining("target 7");
        assertThatThrownBy(() -> a.get(4, 0)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Tensor.cat(List.of(a, b), 0)).hasMessageContaining("cat");
    }

    @Test
    void gradientsAccumulateAndZeroGradClears() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        x.mul(3f).sum().backward();
        x.mul(3f).sum().backward();
        assertThat(x.grad().toArray()).containsExactly(6, 6);
        x.zeroGrad();
        assertThat(x.grad()).isNull();
    }

    @Test
    void backwardWithUpstreamGradient() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y = x.mul(x);
        y.backward(Tensor.of(new float[] {1, 0, 2}, 3), false);
        assertThat(x.grad().toArray()).containsExactly(2, 0, 12);
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor y;
        try (var ignored = GradMode.noGrad()) {
            y = x.mul(2f);
        }
        assertThat(y.requiresGrad()).isFalse();
        assertThat(y.gradFn()).isNull();
        assertThat(x.mul(2f).requiresGrad()).isTrue();
    }

    @Test
    void graphIsReleasedAfterBackward() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor loss = x.exp().sum();
        loss.backward();
        assertThatThrownBy(loss::backward).hasMessageContaining("graph was released");
        Tensor kept = x.exp().sum();
        kept.backward(Tensor.scalar(1f).reshape(), true);
        kept.backward(Tensor.scalar(1f).reshape(), true);
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor d = x.mul(2f).detach();
        assertThat(d.requiresGrad()).isFalse();
        assertThat(d.storage()).isNotNull();
    }

    @Test
    void nonLeafGradientsAreKeptOnRequest() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor h = x.mul(2f).retainGrad();
        h.mul(h).sum().backward();
        assertThat(h.grad().toArray()).containsExactly(4, 8);
        assertThat(x.grad().toArray()).containsExactly(8, 16);
    }

    @Test
    void theGraphFreesIntermediateValuesThatNoBackwardRuleNeeds() {
        Tensor x = Tensor.randn(new Rng(1), 4096).requiresGrad(true);
        Tensor h = x.mul(2f);                                   // read by nothing in backward: (2x + 1) + x needs no values
        var hValues = new java.lang.ref.WeakReference<>(h.data());
        Tensor loss = h.add(1f).add(x).sum();
        h = null;
        for (int i = 0; i < 10 && hValues.get() != null; i++) System.gc();
        assertThat(hValues.get()).as("2x's values, held only by the graph").isNull();
        loss.backward();
        assertThat(x.grad().toArray()).containsOnly(3f);
    }

    /** A bias gradient (sum over rows, split by columns across threads) is the in-order double sum, for 1-4 threads. */
    @Test
    void sumToShapeOfRowsIsTheSameForEveryThreadCount() {
        int rows = 1037, n = 100;
        Tensor x = Tensor.randn(new Rng(3), rows, n);
        float[] a = x.toArray();
        float[] expected = new float[n];
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int r = 0; r < rows; r++) s += a[r * n + j];
            expected[j] = (float) s;
        }
        int saved = Parallel.threads();
        try {
            for (int threads = 1; threads <= 4; threads++) {
                Parallel.setThreads(threads);
                assertThat(x.sumToShape(new int[] {n}).toArray()).as("%d threads", threads).containsExactly(expected);
                assertThat(x.sumToShape(new int[] {1, n}).shape()).containsExactly(1, n);
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
