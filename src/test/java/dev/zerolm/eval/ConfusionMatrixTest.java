package dev.zerolm.eval;

import dev.zerolm.data.LabelVocab;
import dev.zerolm.data.TextExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ConfusionMatrixTest {

    /**
     * gold a a a b b c, predicted a a b b c c: by hand,
     * a: P 2/2, R 2/3, F1 0.8; b: P 1/2, R 1/2, F1 0.5; c: P 1/2, R 1/1, F1 2/3.
     */
    private static ConfusionMatrix example() {
        ConfusionMatrix m = new ConfusionMatrix(List.of("a", "b", "c"));
        int[][] pairs = {{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 2}};
        for (int[] p : pairs) m.add(p[0], p[1]);
        return m;
    }

    @Test
    void metricsMatchHandComputedValues() {
        ConfusionMatrix m = example();
        assertThat(m.accuracy()).isEqualTo(4.0 / 6);
        assertThat(m.scores(0).f1()).isCloseTo(0.8, within(1e-12));
        assertThat(m.scores(1).precision()).isEqualTo(0.5);
        assertThat(m.scores(2).recall()).isEqualTo(1.0);
        assertThat(m.scores(2).f1()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.macro()[0]).isCloseTo((1 + 0.5 + 0.5) / 3, within(1e-12));
        assertThat(m.macro()[1]).isCloseTo((2.0 / 3 + 0.5 + 1) / 3, within(1e-12));
        assertThat(m.macroF1()).isCloseTo((0.8 + 0.5 + 2.0 / 3) / 3, within(1e-12));
        assertThat(m.micro()).containsExactly(4.0 / 6, 4.0 / 6, 4.0 / 6);
    }

    @Test
    void aLabelThatNeverOccursDoesNotLowerTheMacroAverage() {
        ConfusionMatrix m = new ConfusionMatrix(List.of("a", "b", "unused"));
        m.add(0, 0);
        m.add(1, 1);
        assertThat(m.macroF1()).isEqualTo(1.0);
        assertThat(m.scores(2).f1()).isZero();
    }

    @Test
    void reportTableAndHeatmapAreWritten(@TempDir Path dir) throws Exception {
        ConfusionMatrix m = example();
        assertThat(m.report()).contains("macro avg").contains("micro avg").contains("accuracy 0.6667 (4 of 6)");
        assertThat(m.table().lines().toList()).hasSize(4);
        assertThat(m.table().lines().skip(1).findFirst().orElseThrow()).matches("a\\s+2\\s+1\\s+0");
        Path png = dir.resolve("cm.png");
        ConfusionMatrixPlot.write(png, m, "test");
        byte[] head = Files.readAllBytes(png);
        assertThat(head[1]).isEqualTo((byte) 'P');
        assertThat(head.length).isGreaterThan(1000);
    }

    @Test
    void naiveBayesLearnsWordsOfEachClass() {
        NaiveBayes nb = new NaiveBayes(List.of("goal match team", "vote election party", "team won the match", "party vote count"),
                List.of(0, 1, 0, 1), 2);
        assertThat(nb.predict("the team scored a goal")).isZero();
        assertThat(nb.predict("an election vote")).isEqualTo(1);
    }

    @Test
    void naiveBayesIgnoresWordsNeverSeenInTraining() {
        // Class 1 has many more training words; an unseen word must not push the prediction towards either class.
        // (Charging them a per-class "unseen" likelihood would favour the class with fewer training words, class 0.)
        NaiveBayes nb = new NaiveBayes(List.of("goal", "vote election party ballot count poll seat"), List.of(0, 1), 2);
        assertThat(nb.predict("vote")).isEqualTo(1);
        assertThat(nb.predict("vote zebra quokka axolotl narwhal okapi")).isEqualTo(1);
    }

    @Test
    void naiveBayesEvaluatesOnHeldOutExamples() {
        var labels = LabelVocab.ofNames(List.of("sport", "politics"));
        var train = List.of(new TextExample("goal match team", "sport", "t1"),
                new TextExample("vote election party", "politics", "t2"));
        var valid = List.of(new TextExample("a team goal", "sport", "v1"),
                new TextExample("party vote", "politics", "v2"), new TextExample("match", "politics", "v3"));
        ConfusionMatrix cm = NaiveBayes.evaluate(train, valid, labels);
        assertThat(cm.accuracy()).isCloseTo(2.0 / 3, within(1e-9));
    }
}
