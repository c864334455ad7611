package dev.zerolm.data;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.zerolm.data.TokenExample.IGNORE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MlmMaskerTest {

    private static final int PAD = 0, CLS = 2, SEP = 3, MASK = 4, V = 100;
    private static final MlmMasker MASKER = new MlmMasker(V, MASK, new int[] {PAD, 1, CLS, SEP}, 0.15);

    /** B rows of [CLS] t t ... [SEP] PAD PAD with tokens from 5..V-1. */
    private static Batch batch(int B, int T, long seed) {
        Rng rng = new Rng(seed);
        int[] ids = new int[B * T], mask = new int[B * T];
        for (int b = 0; b < B; b++) {
            int len = T - 2;
            ids[b * T] = CLS;
            for (int t = 1; t < len - 1; t++) ids[b * T + t] = 5 + rng.nextInt(V - 5);
            ids[b * T + len - 1] = SEP;
            Arrays.fill(mask, b * T, b * T + len, 1);
        }
        return new Batch(IntTensor.of(ids, B, T), IntTensor.of(mask, B, T), null);
    }

    @Test
    void proportionsAreFifteenPercentThenEightyTenTen() {
        Batch in = batch(200, 64, 1);
        Batch out = MASKER.mask(in, new Rng(2));
        int eligible = 0, selected = 0, masked = 0, random = 0, kept = 0;
        int[] x = in.inputIds().data(), y = out.inputIds().data(), labels = out.labels().data(), m = in.attentionMask().data();
        for (int i = 0; i < x.length; i++) {
            boolean normal = m[i] == 1 && x[i] >= 5;
            if (normal) eligible++;
            if (labels[i] == IGNORE) {
                assertThat(y[i]).isEqualTo(x[i]);
                continue;
            }
            assertThat(normal).as("only real non-special tokens are selected").isTrue();
            assertThat(labels[i]).isEqualTo(x[i]);
            selected++;
            if (y[i] == MASK) masked++;
            else if (y[i] == x[i]) kept++;
            else {
                random++;
                assertThat(y[i]).isGreaterThanOrEqualTo(5);
            }
        }
        assertThat((double) selected / eligible).isCloseTo(0.15, within(0.01));
        assertThat((double) masked / selected).isCloseTo(0.80, within(0.02));
        assertThat((double) random / selected).isCloseTo(0.10, within(0.02));
        assertThat((double) kept / selected).isCloseTo(0.10 + 0.10 / (V - 5), within(0.02));
    }

    @Test
    void sameSeedMasksTheSameWay() {
        Batch in = batch(4, 16, 3);
        Batch a = MASKER.mask(in, new Rng(9)), b = MASKER.mask(in, new Rng(9)), c = MASKER.mask(in, new Rng(10));
        assertThat(a.inputIds().data()).isEqualTo(b.inputIds().data());
        assertThat(a.labels().data()).isEqualTo(b.labels().data());
        assertThat(a.labels().data()).isNotEqualTo(c.labels().data());
        assertThat(in.inputIds().data()).isEqualTo(batch(4, 16, 3).inputIds().data()); // input untouched
    }

    @Test
    void atLeastOneTokenIsSelectedInATinyBatch() {
        Batch in = new Batch(IntTensor.of(new int[] {CLS, 7, SEP, PAD}, 1, 4), IntTensor.of(new int[] {1, 1, 1, 0}, 1, 4), null);
        for (long seed = 0; seed < 20; seed++) {
            int[] labels = MASKER.mask(in, new Rng(seed)).labels().data();
            assertThat(labels).containsExactly(IGNORE, 7, IGNORE, IGNORE);
        }
    }
}
