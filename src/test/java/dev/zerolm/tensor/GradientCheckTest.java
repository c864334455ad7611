package dev.zerolm.tensor;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every differentiable op against central finite differences, on awkward shapes, broadcasts and views. */
class GradientCheckTest {

    private final Rng rng = new Rng(7);

    private Tensor randn(int... shape) {
        return Tensor.randn(rng, shape);
    }

    private Tensor positive(int... shape) {
        return Tensor.rand(rng, 0.5f, 2f, shape);
    }

    @Test
    void binaryOpsWithBroadcasting() {
        GradCheck.check("add", in -> in[0].add(in[1]), randn(3, 1, 5), randn(4, 1));
        GradCheck.check("sub", in -> in[0].sub(in[1]), randn(2, 3), randn(3));
        GradCheck.check("mul", in -> in[0].mul(in[1]), randn(3, 1, 5), randn(1, 4, 5));
        GradCheck.check("div", in -> in[0].div(in[1]), randn(2, 3, 4), positive(4));
        GradCheck.check("pow", in -> in[0].pow(in[1]), positive(2, 3), randn(3));
        GradCheck.check("maximum", in -> in[0].maximum(in[1]), randn(4, 5), randn(5));
    }

    @Test
    void scalarOps() {
        GradCheck.check("add_scalar", in -> in[0].add(2f), randn(3, 4));
        GradCheck.check("mul_scalar", in -> in[0].mul(-3f), randn(3, 4));
        GradCheck.check("div_scalar", in -> in[0].div(0.5f), randn(3, 4));
        GradCheck.check("pow_scalar", in -> in[0].pow(3f), randn(3, 4));
        GradCheck.check("pow_scalar_frac", in -> in[0].pow(0.5f), positive(3, 4));
    }

    @Test
    void unaryOps() {
        GradCheck.check("neg", in -> in[0].neg(), randn(2, 7));
        GradCheck.check("exp", in -> in[0].exp(), randn(2, 7));
        GradCheck.check("log", in -> in[0].log(), positive(2, 7));
        GradCheck.check("sqrt", in -> in[0].sqrt(), positive(2, 7));
        GradCheck.check("rsqrt", in -> in[0].rsqrt(), positive(2, 7));
        GradCheck.check("tanh", in -> in[0].tanh(), randn(2, 7));
        GradCheck.check("sigmoid", in -> in[0].sigmoid(), randn(2, 7));
        GradCheck.check("relu", in -> in[0].relu(), randn(2, 7));
        GradCheck.check("silu", in -> in[0].silu(), randn(2, 7));
        GradCheck.check("gelu_tanh", in -> in[0].gelu(), randn(2, 7));
        GradCheck.check("gelu_erf", in -> in[0].geluExact(), randn(2, 7));
    }

    @Test
    void reductionsOverDims() {
        GradCheck.check("sum_all", in -> in[0].sum(), randn(3, 4));
        GradCheck.check("mean_all", in -> in[0].mean(), randn(3, 4));
        GradCheck.check("sum_dim", in -> in[0].sum(1, false), randn(3, 4, 5));
        GradCheck.check("sum_dims_keep", in -> in[0].sum(new int[] {0, 2}, true), randn(3, 4, 5));
        GradCheck.check("mean_dim", in -> in[0].mean(-1, true), randn(3, 4, 5));
        GradCheck.check("max_dim", in -> in[0].max(1, false), randn(3, 6, 2));
        GradCheck.check("var_unbiased", in -> in[0].var(1, true, 1), randn(3, 6, 2));
        GradCheck.check("var_biased", in -> in[0].var(new int[] {0, 1}, false, 0), randn(3, 6, 2));
    }

    @Test
    void matmulShapesAndTransposedViews() {
        GradCheck.check("matmul_2d", in -> in[0].matmul(in[1]), randn(3, 5), randn(5, 4));
        GradCheck.check("matmul_batched", in -> in[0].matmul(in[1]), randn(2, 3, 5), randn(2, 5, 4));
        GradCheck.check("matmul_broadcast_batch", in -> in[0].matmul(in[1]), randn(2, 1, 3, 5), randn(4, 5, 2));
        GradCheck.check("matmul_3d_by_2d", in -> in[0].matmul(in[1]), randn(2, 3, 5), randn(5, 4));
        GradCheck.check("matmul_transposed", in -> in[0].transpose(0, 1).matmul(in[1].t()), randn(5, 3), randn(4, 5));
        GradCheck.check("matmul_vec", in -> in[0].matmul(in[1]), randn(3, 5), randn(5));
        GradCheck.check("vec_matmul", in -> in[0].matmul(in[1]), randn(5), randn(5, 2));
    }

    @Test
    void viewsPassGradientsThrough() {
        GradCheck.check("transpose", in -> in[0].transpose(0, 2).exp(), randn(2, 3, 4));
        GradCheck.check("permute", in -> in[0].permute(2, 0, 1).mul(in[0].permute(2, 0, 1)), randn(2, 3, 4));
        GradCheck.check("narrow", in -> in[0].narrow(1, 1, 2).tanh(), randn(2, 4, 3));
        GradCheck.check("slice", in -> in[0].slice(0, -2, 4).sigmoid(), randn(4, 3));
        GradCheck.check("reshape_noncontig", in -> in[0].t().reshape(-1).exp(), randn(3, 4));
        GradCheck.check("expand", in -> in[0].expand(3, 4, 5).mul(in[1]), randn(4, 1), randn(3, 4, 5));
        GradCheck.check("squeeze_unsqueeze", in -> in[0].unsqueeze(1).squeeze(1).unsqueeze(-1).exp(), randn(3, 4));
        GradCheck.check("select", in -> in[0].select(1, 2).exp(), randn(3, 4));
    }

    @Test
    void sharedSubexpressionAccumulates() {
        GradCheck.check("x*x+x", in -> in[0].mul(in[0]).add(in[0]).mul(in[0].exp()), randn(3, 4));
    }

    @Test
    void softmaxFamilyAndNorms() {
        GradCheck.check("softmax_last", in -> in[0].softmax(-1), randn(3, 5));
        GradCheck.check("softmax_dim0", in -> in[0].softmax(0), randn(3, 5));
        GradCheck.check("log_softmax", in -> in[0].logSoftmax(1), randn(2, 5, 3));
        GradCheck.check("layer_norm", in -> NNOps.layerNorm(in[0], in[1], in[2], 1e-5f), randn(2, 3, 6), randn(6), randn(6));
        GradCheck.check("layer_norm_noaffine", in -> NNOps.layerNorm(in[0].transpose(0, 1), null, null, 1e-5f), randn(4, 3, 6));
        // more rows than one block of the parallel backward (64 rows), with a partial last block
        GradCheck.check("layer_norm_many_rows", in -> NNOps.layerNorm(in[0], in[1], in[2], 1e-5f), randn(2, 70, 3), randn(3), randn(3));
        GradCheck.check("rms_norm", in -> NNOps.rmsNorm(in[0], in[1], 1e-6f), randn(2, 3, 6), randn(6));
    }

    @Test
    void crossEntropyReductionsAndIgnoreIndex() {
        IntTensor targets = IntTensor.vector(1, -100, 4, 0);
        GradCheck.check("ce_mean", in -> NNOps.crossEntropy(in[0], targets, -100, NNOps.Reduction.MEAN), randn(4, 5));
        GradCheck.check("ce_sum", in -> NNOps.crossEntropy(in[0], targets, -100, NNOps.Reduction.SUM), randn(4, 5));
        GradCheck.check("ce_none", in -> NNOps.crossEntropy(in[0], targets, -100, NNOps.Reduction.NONE), randn(4, 5));
        GradCheck.check("ce_3d", in -> NNOps.crossEntropy(in[0], IntTensor.of(new int[] {0, 1, 2, 3, 4, 0}, 2, 3),
                -1, NNOps.Reduction.MEAN), randn(2, 3, 5));
    }

    @Test
    void linearCrossEntropyInChunks() {
        IntTensor targets = IntTensor.vector(1, -1, 4, 0, 2);
        for (int rows : new int[] {0, 2}) {
            GradCheck.check("linear_ce rows " + rows, in -> NNOps.linearCrossEntropy(in[0], in[1], targets, -1, rows),
                    randn(5, 3), randn(6, 3));
        }
    }

    @Test
    void indexingOps() {
        Tensor mask = Tensor.of(new float[] {0, 1, 0, 0, 1}, 5);
        GradCheck.check("masked_fill", in -> in[0].maskedFill(mask, -5f).exp(), randn(3, 5));
        Tensor cond = Tensor.of(new float[] {1, 0, 1}, 3, 1);
        GradCheck.check("where", in -> Tensor.where(cond, in[0], in[1]), randn(3, 4), randn(4));
        GradCheck.check("index_select", in -> in[0].indexSelect(1, IntTensor.vector(2, 0, 2)), randn(3, 4, 2));
        GradCheck.check("gather", in -> in[0].gather(1, IntTensor.of(new int[] {0, 3, 1, 1, 2, 0}, 3, 2)), randn(3, 4));
        GradCheck.check("embedding", in -> NNOps.embedding(in[0], IntTensor.of(new int[] {1, 3, 1, 0}, 2, 2)), randn(5, 3));
        GradCheck.check("cat", in -> Tensor.cat(List.of(in[0], in[1].t()), 1), randn(3, 2), randn(4, 3));
        GradCheck.check("stack", in -> Tensor.stack(List.of(in[0], in[1]), 1), randn(3, 2), randn(3, 2));
        GradCheck.check("split", in -> in[0].split(2, 1).get(1).mul(in[0].chunk(3, 1).get(2)), randn(3, 5));
    }

    @Test
    void dropoutScalesKeptElements() {
        Tensor x = randn(4, 6);
        // Same mask each call: the Rng is re-seeded inside f, so the function is deterministic.
        GradCheck.check("dropout", in -> NNOps.dropout(in[0], 0.3f, true, new Rng(3)), x);
    }

    @Test
    void layerNormGradientsAreTheSameBitsForEveryThreadCount() {
        int saved = Parallel.threads();
        try {
            float[][] reference = null;
            for (int threads = 1; threads <= 4; threads++) {
                Parallel.setThreads(threads);
                Tensor x = Tensor.randn(new Rng(3), 300, 40).requiresGrad(true);
                Tensor w = Tensor.randn(new Rng(4), 40).requiresGrad(true), b = Tensor.randn(new Rng(5), 40).requiresGrad(true);
                NNOps.layerNorm(x, w, b, 1e-5f).mul(Tensor.randn(new Rng(6), 300, 40)).sum().backward();
                float[][] grads = {x.grad().toArray(), w.grad().toArray(), b.grad().toArray()};
                if (reference == null) reference = grads;
                for (int i = 0; i < 3; i++) assertThat(grads[i]).as("gradient %d, %d threads", i, threads).containsExactly(reference[i]);
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
