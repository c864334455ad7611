package dev.zerolm.data;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenBatcherTest {

    private static final int[] TOKENS = IntStream.range(0, 100).toArray(); // token value = its position

    @Test
    void yIsXShiftedByOneTokenInsideContiguousWindows() {
        TokenBatcher.Batch batch = new TokenBatcher(TOKENS, 8, 4, new SplittableRandom(1)).next();
        assertThat(batch.batchSize()).isEqualTo(4);
        assertThat(batch.blockSize()).isEqualTo(8);
        assertThat(batch.x()).hasSize(32);
        for (int b = 0; b < 4; b++) {
            int start = batch.x()[b * 8];
            for (int t = 0; t < 8; t++) {
                assertThat(batch.x()[b * 8 + t]).isEqualTo(start + t);
                assertThat(batch.y()[b * 8 + t]).isEqualTo(start + t + 1);
            }
        }
    }

    @Test
    void sameSeedGivesSameBatches() {
        TokenBatcher a = new TokenBatcher(TOKENS, 5, 3, new SplittableRandom(7));
        TokenBatcher b = new TokenBatcher(TOKENS, 5, 3, new SplittableRandom(7));
        for (int i = 0; i < 10; i++) {
            TokenBatcher.Batch x = a.next(), y = b.next();
            assertThat(x.x()).containsExactly(y.x());
            assertThat(x.y()).containsExactly(y.y());
        }
    }

    @Test
    void everyWindowStartIsReachableAndTargetsStayInside() {
        int[] tokens = IntStream.range(0, 12).toArray();
        TokenBatcher batcher = new TokenBatcher(tokens, 4, 16, new SplittableRandom(3));
        boolean[] seen = new boolean[12];
        for (int i = 0; i < 50; i++) {
            TokenBatcher.Batch batch = batcher.next();
            for (int b = 0; b < 16; b++) seen[batch.x()[b * 4]] = true;
            assertThat(IntStream.of(batch.y()).max().orElseThrow()).isLessThan(12);
        }
        for (int start = 0; start < 12; start++) assertThat(seen[start]).as("start %d", start).isEqualTo(start < 8);
    }

    @Test
    void tokensShorterThanBlockPlusOneIsAClearError() {
        assertThatThrownBy(() -> new TokenBatcher(new int[8], 8, 2, new SplittableRandom(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("8 tokens")
                .hasMessageContaining("blockSize 8")
                .hasMessageContaining("at least blockSize + 1 = 9");
    }
}
