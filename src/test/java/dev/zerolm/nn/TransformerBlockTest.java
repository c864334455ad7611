package dev.zerolm.nn;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.testutil.GoldenAssert;
import dev.zerolm.testutil.GoldenFile;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TransformerBlockTest {

    @Test
    void matchesPyTorchNanoGptBlockForwardAndBackward() {
        GoldenFile g = GoldenFile.load("block.safetensors");
        var config = BlockConfig.gpt2(Integer.parseInt(g.meta("n_embd")), Integer.parseInt(g.meta("n_head")));
        var block = new TransformerBlock(config, null, new Rng(1));
        block.loadStateDict(MultiHeadSelfAttentionTest.stateUnder(g, "", block), true);
        Tensor x = g.tensor("x").requiresGrad(true);

        Tensor y = block.forward(x);
        Tensor loss = y.mul(g.tensor("r")).sum();
        loss.backward();

        GoldenAssert.assertClose("block y", y, g.tensor("y"));
        GoldenAssert.assertClose("block loss", loss, g.tensor("loss"));
        GoldenAssert.assertClose("block grad.x", x.grad(), g.tensor("grad.x"));
        for (var p : block.namedParameters().entrySet()) {
            GoldenAssert.assertClose("block grad." + p.getKey(), p.getValue().grad(), g.tensor("grad." + p.getKey()));
        }
    }

    @Test
    void parametersAreNamedLikeNanoGpt() {
        var block = new TransformerBlock(BlockConfig.gpt2(8, 2), null, new Rng(2));
        assertThat(block.namedParameters().keySet()).containsExactly(
                "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
                "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
                "mlp.c_proj.weight", "mlp.c_proj.bias");
    }

    @Test
    void llamaStyleBlockUsesRmsNormAndSwiGlu() {
        var config = new BlockConfig(8, 2, false, 0f, 1e-6f, NormKind.RMS_NORM, FeedForwardKind.SWIGLU, Activation.SILU);
        var block = new TransformerBlock(config, new RotaryEmbedding(4, 8, 10000f), new Rng(3));
        assertThat(block.namedParameters().keySet()).containsExactly(
                "ln_1.weight", "attn.c_attn.weight", "attn.c_proj.weight", "ln_2.weight",
                "mlp.w1.weight", "mlp.w2.weight", "mlp.w3.weight");
        Tensor x = Tensor.randn(new Rng(4), 2, 5, 8).requiresGrad(true);
        block.forward(x).sum().backward();
        assertThat(x.grad().shape()).containsExactly(2, 5, 8);
        for (Tensor p : block.parameters()) assertThat(p.grad()).isNotNull();
    }
}
