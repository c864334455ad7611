package dev.zerolm.nn;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.testutil.GoldenAssert;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupedQueryAttentionTest {

    private static final RotaryEmbedding ROTARY = new RotaryEmbedding(4, 16, 10000f);

    @Test
    void withAKeyValueHeadPerQueryHeadItIsMultiHeadAttention() {
        var gqa = new GroupedQueryAttention(16, 4, 4, 4, false, ROTARY, new Rng(1));
        var mhsa = new MultiHeadSelfAttention(16, 4, false, 0f, true, ROTARY, new Rng(2));
        Map<String, Tensor> p = gqa.namedParameters();
        Tensor qkv = Tensor.cat(List.of(p.get("q_proj.weight"), p.get("k_proj.weight"), p.get("v_proj.weight")), 0);
        mhsa.loadStateDict(Map.of("c_attn.weight", qkv, "c_proj.weight", p.get("o_proj.weight")), false);
        Tensor x = Tensor.randn(new Rng(3), 2, 7, 16);
        GoldenAssert.assertClose("gqa vs mhsa", gqa.forward(x), mhsa.forward(x), 1e-6);
    }

    @Test
    void sharedKeyValueHeadsEqualRepeatingThemForEveryQueryHead() {
        var grouped = new GroupedQueryAttention(16, 4, 2, 4, false, ROTARY, new Rng(4));
        var full = new GroupedQueryAttention(16, 4, 4, 4, false, ROTARY, new Rng(5));
        Map<String, Tensor> g = grouped.namedParameters();
        full.loadStateDict(Map.of("q_proj.weight", g.get("q_proj.weight"), "o_proj.weight", g.get("o_proj.weight"),
                "k_proj.weight", repeatHeads(g.get("k_proj.weight")), "v_proj.weight", repeatHeads(g.get("v_proj.weight"))), true);
        Tensor x = Tensor.randn(new Rng(6), 1, 9, 16);
        GoldenAssert.assertClose("2 kv heads vs 4", grouped.forward(x), full.forward(x), 1e-6);
        assertThat(grouped.parameters().stream().mapToInt(Tensor::numel).sum())
                .isEqualTo(full.parameters().stream().mapToInt(Tensor::numel).sum() - 2 * 8 * 16);
    }

    /** (2·hd, C) rows of two kv heads -> (4·hd, C): each head's rows twice, for the two query heads of its group. */
    private static Tensor repeatHeads(Tensor w) {
        List<Tensor> rows = new ArrayList<>();
        for (int head = 0; head < 2; head++) {
            Tensor h = w.narrow(0, head * 4, 4);
            rows.add(h);
            rows.add(h);
        }
        return Tensor.cat(rows, 0).detach();
    }

    @Test
    void queryHeadsMustShareKeyValueHeadsEvenly() {
        assertThatThrownBy(() -> new GroupedQueryAttention(24, 6, 4, 4, false, ROTARY, new Rng(7)))
                .hasMessageContaining("6 query heads").hasMessageContaining("4 key/value heads");
    }
}
