package dev.zerolm.tensor;

import org.junit.jupiter.api.Test;

/** Forward values and gradients of composite graphs equal PyTorch 1.13's (files from tools/golden/make_golden.py). */
class PyTorchGoldenTest {

    private static final double RTOL = 1e-5;

    private static void mlp(String file, boolean exactGelu) {
        Golden g = Golden.load(file);
        Tensor x = g.tensor("x").requiresGrad(true), w1 = g.tensor("W1").requiresGrad(true), b1 = g.tensor("b1").requiresGrad(true);
        Tensor lnW = g.tensor("ln_w").requiresGrad(true), lnB = g.tensor("ln_b").requiresGrad(true);
        Tensor w2 = g.tensor("W2").requiresGrad(true), b2 = g.tensor("b2").requiresGrad(true);
        Tensor h = x.matmul(w1).add(b1);                           // (2,3,8) @ (8,16) -> (2,3,16)
        Tensor act = exactGelu ? h.geluExact() : h.gelu();
        Tensor n = NNOps.layerNorm(act, lnW, lnB, 1e-5f);
        Tensor logits = n.matmul(w2).add(b2);                      // (2,3,16) @ (16,10) -> (2,3,10)
        Tensor loss = NNOps.crossEntropy(logits.reshape(-1, 10), g.ints("targets").reshape(-1), -100, NNOps.Reduction.MEAN);
        loss.backward();
        g.assertClose("h", h, RTOL);
        g.assertClose("g", act, RTOL);
        g.assertClose("n", n, RTOL);
        g.assertClose("logits", logits, RTOL);
        g.assertClose("loss", loss, RTOL);
        g.assertClose("grad.x", x.grad(), RTOL);
        g.assertClose("grad.W1", w1.grad(), RTOL);
        g.assertClose("grad.b1", b1.grad(), RTOL);
        g.assertClose("grad.ln_w", lnW.grad(), RTOL);
        g.assertClose("grad.ln_b", lnB.grad(), RTOL);
        g.assertClose("grad.W2", w2.grad(), RTOL);
        g.assertClose("grad.b2", b2.grad(), RTOL);
    }

    @Test
    void twoLayerMlpWithTanhGeluLayerNormAndCrossEntropy() {
        mlp("mlp.safetensors", false);
    }

    @Test
    void twoLayerMlpWithExactGelu() {
        mlp("mlp_erf.safetensors", true);
    }

    @Test
    void batchedMatmulAndSoftmax() {
        Golden g = Golden.load("attention_core.safetensors");
        Tensor q = g.tensor("q").requiresGrad(true), k = g.tensor("k").requiresGrad(true), v = g.tensor("v").requiresGrad(true);
        Tensor s = q.matmul(k.transpose(-1, -2)).div((float) Math.sqrt(5)); // (2,3,4,5) @ (2,3,5,6) -> (2,3,4,6)
        Tensor p = s.softmax(-1);
        Tensor o = p.matmul(v);                                            // (2,3,4,6) @ (2,3,6,7) -> (2,3,4,7)
        Tensor loss = o.mul(g.tensor("r")).sum();
        loss.backward();
        g.assertClose("s", s, RTOL);
        g.assertClose("p", p, RTOL);
        g.assertClose("o", o, RTOL);
        g.assertClose("loss", loss, RTOL);
        g.assertClose("grad.q", q.grad(), RTOL);
        g.assertClose("grad.k", k.grad(), RTOL);
        g.assertClose("grad.v", v.grad(), RTOL);
    }

    /** One op with a weighted-sum loss: checks out and grad_in of an ops.safetensors case. */
    private static void opCase(Golden g, String prefix, java.util.function.Function<Tensor, Tensor> op) {
        Tensor in = g.tensor(prefix + ".in").requiresGrad(true);
        Tensor out = op.apply(in);
        g.assertClose(prefix + ".out", out, RTOL);
        Tensor loss = out.numel() == 1 ? out : out.mul(g.tensor(prefix + ".r")).sum();
        loss.backward();
        g.assertClose(prefix + ".grad_in", in.grad(), RTOL);
    }

    @Test
    void singleOpsIncludingStabilityAndIgnoreIndex() {
        Golden g = Golden.load("ops.safetensors");
        opCase(g, "softmax_dim1", x -> x.softmax(1));
        opCase(g, "softmax_dim0", x -> x.softmax(0));
        opCase(g, "log_softmax_dim1", x -> x.logSoftmax(1));
        opCase(g, "log_softmax_dim0", x -> x.logSoftmax(0));
        opCase(g, "cross_entropy_sum", x -> NNOps.crossEntropy(x, g.ints("cross_entropy_sum.targets"), -100, NNOps.Reduction.SUM));
        opCase(g, "cross_entropy_ignore", x -> NNOps.crossEntropy(x, g.ints("cross_entropy_ignore.targets"), -100, NNOps.Reduction.MEAN));
        opCase(g, "var_dim1_unbiased_keepdim", x -> x.var(1, true, 1));
        opCase(g, "var_dim1_biased_keepdim", x -> x.var(1, true, 0));
        opCase(g, "gather_dim1", x -> x.gather(1, g.ints("gather_dim1.index")));
        Tensor w = g.tensor("layer_norm.weight").requiresGrad(true), b = g.tensor("layer_norm.bias").requiresGrad(true);
        opCase(g, "layer_norm", x -> NNOps.layerNorm(x, w, b, 1e-5f));
        g.assertClose("layer_norm.grad_weight", w.grad(), RTOL);
        g.assertClose("layer_norm.grad_bias", b.grad(), RTOL);
    }
}
