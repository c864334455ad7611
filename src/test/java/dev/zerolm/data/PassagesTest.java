package dev.zerolm.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Cutting documents into passages, and the baseline, on tiny hand-made documents. */
class PassagesTest {

    private static List<TaggedWord> sentence(int n, String prefix) {
        List<TaggedWord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new TaggedWord(prefix + i, "nn"));
        return out;
    }

    @Test
    void passagesHoldWholeSentencesUpToTheLimitAndCutLongOnes() {
        BrownDocument d = new BrownDocument("ca01", "news", List.of(sentence(3, "a"), sentence(3, "b"), sentence(9, "c")));
        List<TextExample> p = BrownGenre.passages(List.of(d), 4);
        assertThat(p).extracting(TextExample::text).containsExactly("a0 a1 a2", "b0 b1 b2", "c0 c1 c2 c3", "c4 c5 c6 c7", "c8");
        assertThat(p).allSatisfy(e -> {
            assertThat(e.label()).isEqualTo("news");
            assertThat(e.source()).isEqualTo("ca01");
        });
        assertThat(BrownGenre.passages(List.of(d), 6)).extracting(TextExample::text)
                .containsExactly("a0 a1 a2 b0 b1 b2", "c0 c1 c2 c3 c4 c5", "c6 c7 c8");
    }

    @Test
    void baselinePredictsEachWordsMostFrequentTagAndTheOverallOneForUnknownWords() {
        List<TaggedSentence> train = List.of(
                new TaggedSentence(List.of("run", "run", "run", "the"), List.of("vb", "nn", "vb", "at"), "t1"),
                new TaggedSentence(List.of("dog", "cat"), List.of("nn", "nn"), "t2"));
        MostFrequentTagBaseline b = new MostFrequentTagBaseline(train);
        assertThat(b.predict("run")).isEqualTo("vb");
        assertThat(b.predict("zebra")).isEqualTo("nn");
        var acc = b.evaluate(List.of(new TaggedSentence(List.of("run", "the", "zebra", "zoo"), List.of("nn", "at", "nn", "vb"), "v")));
        assertThat(acc.correct()).isEqualTo(2);
        assertThat(acc.total()).isEqualTo(4);
        assertThat(acc.unknownTotal()).isEqualTo(2);
        assertThat(acc.unknownCorrect()).isEqualTo(1);
    }
}
