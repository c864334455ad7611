package dev.zerolm.data;

import dev.zerolm.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static dev.zerolm.data.TokenExample.IGNORE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CollatorTest {

    private static TokenExample tokens(int... ids) {
        int[] labels = new int[ids.length], words = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            labels[i] = 10 + i;
            words[i] = i;
        }
        return new TokenExample(ids, labels, words, ids.length);
    }

    @Test
    void dynamicPaddingPadsToTheLongestWithMaskAndIgnoredLabels() {
        Batch b = new Collator(0, 16, true).collateTokens(List.of(tokens(5, 6, 7), tokens(8)));
        assertThat(b.inputIds().shape()).containsExactly(2, 3);
        assertThat(b.inputIds().data()).containsExactly(5, 6, 7, 8, 0, 0);
        assertThat(b.attentionMask().data()).containsExactly(1, 1, 1, 1, 0, 0);
        assertThat(b.labels().shape()).containsExactly(2, 3);
        assertThat(b.labels().data()).containsExactly(10, 11, 12, 10, IGNORE, IGNORE);
        assertThat(b.tokenCount()).isEqualTo(4);
    }

    @Test
    void fixedPaddingAlwaysUsesMaxLength() {
        Batch b = new Collator(9, 5, false).collateTokens(List.of(tokens(5, 6)));
        assertThat(b.inputIds().data()).containsExactly(5, 6, 9, 9, 9);
        assertThat(b.attentionMask().data()).containsExactly(1, 1, 0, 0, 0);
    }

    @Test
    void longExamplesAreTruncatedToMaxLength() {
        Batch b = new Collator(0, 2, true).collateTokens(List.of(tokens(5, 6, 7), tokens(8)));
        assertThat(b.inputIds().shape()).containsExactly(2, 2);
        assertThat(b.inputIds().data()).containsExactly(5, 6, 8, 0);
        assertThat(b.labels().data()).containsExactly(10, 11, 10, IGNORE);
    }

    @Test
    void sequenceBatchHasOneLabelPerExample() {
        Batch b = new Collator(0, 8, true).collateSequences(List.of(new SequenceExample(new int[] {4, 5}, 2),
                new SequenceExample(new int[] {6, 7, 8}, 0)));
        assertThat(b.inputIds().shape()).containsExactly(2, 3);
        assertThat(b.labels().shape()).containsExactly(2);
        assertThat(b.labels().data()).containsExactly(2, 0);
        assertThat(b.attentionMask().data()).containsExactly(1, 1, 0, 1, 1, 1);
    }

    @Test
    void shuffledBatchesCoverEveryExampleOnceAndRepeatWithTheSeed() {
        List<Integer> items = IntStream.range(0, 23).boxed().toList();
        List<List<Integer>> a = Collator.batches(items, 5, new Rng(7)), b = Collator.batches(items, 5, new Rng(7));
        assertThat(a).isEqualTo(b).hasSize(5);
        assertThat(a.getLast()).hasSize(3);
        List<Integer> flat = new ArrayList<>();
        a.forEach(flat::addAll);
        assertThat(flat).containsExactlyInAnyOrderElementsOf(items).isNotEqualTo(items);
        assertThat(Collator.batches(items, 5, new Rng(8))).isNotEqualTo(a);
        assertThat(Collator.batches(items, 5, null).getFirst()).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void emptyBatchIsAnError() {
        assertThatThrownBy(() -> new Collator(0, 4, true).collateTokens(List.of())).hasMessageContaining("no examples");
    }
}
