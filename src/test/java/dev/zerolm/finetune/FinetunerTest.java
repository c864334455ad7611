package dev.zerolm.finetune;

import dev.zerolm.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FinetunerTest {

    @Test
    void sequenceClassifierOverfitsATinySyntheticDataset() throws Exception {
        var data = TinyModels.containsSeven(24, 1);
        SequenceClassifier m = new SequenceClassifier(Backbone.of(TinyModels.bert(1)), 2, Pooling.MEAN, 0f, new Rng(2));
        var f = TinyModels.finetuner(m, List.of("no7", "has7"), Finetuner.Config.defaults().withEpochs(40).withBatchSize(8).withLr(3e-3f));
        var result = f.fit(data, data, null);
        assertThat(result.best().matrix().accuracy()).isEqualTo(1.0);
        assertThat(f.evaluate(data).matrix().accuracy()).isEqualTo(1.0);   // the best weights were restored
    }

    @Test
    void gptTokenClassifierLearnsPerTokenLabels() throws Exception {
        var data = TinyModels.idModThree(32, 3);
        TokenClassifier m = new TokenClassifier(Backbone.of(TinyModels.gpt(3)), 3, 0f, new Rng(4));
        var f = TinyModels.finetuner(m, List.of("0", "1", "2"), Finetuner.Config.defaults().withEpochs(30).withBatchSize(8).withLr(1e-2f));
        assertThat(f.fit(data, data, null).best().matrix().accuracy()).isGreaterThan(0.95);
    }

    @Test
    void earlyStoppingEndsTheRunWhenTheMetricStopsImproving() throws Exception {
        // Labels are random, so validation accuracy cannot keep improving: patience 2 must stop long before 50 epochs.
        Rng rng = new Rng(5);
        List<TinyModels.Example> noise = new ArrayList<>();
        for (TinyModels.Example e : TinyModels.containsSeven(16, 6)) noise.add(new TinyModels.Example(e.ids(), new int[] {rng.nextInt(2)}));
        SequenceClassifier m = new SequenceClassifier(Backbone.of(TinyModels.gpt(7)), 2, Pooling.LAST, 0f, new Rng(8));
        var config = Finetuner.Config.defaults().withEpochs(50).withBatchSize(8).withEarlyStopping("loss", 2, 0);
        List<Double> saved = new ArrayList<>();
        var result = TinyModels.finetuner(m, List.of("a", "b"), config).fit(noise, TinyModels.containsSeven(8, 9), r -> saved.add(r.loss()));
        assertThat(result.stoppedEarly()).isTrue();
        assertThat(result.steps()).isLessThan(50 * 2);
        assertThat(saved).isNotEmpty().isSortedAccordingTo((a, b) -> Double.compare(b, a));   // each save improved the loss
        assertThat(result.best().loss()).isEqualTo(saved.getLast());
    }

    @Test
    void batchesCoverEveryExampleOnceWithSimilarLengths() {
        var data = TinyModels.idModThree(230, 10);
        TokenClassifier m = new TokenClassifier(Backbone.of(TinyModels.gpt(1)), 3, 0f, new Rng(1));
        var f = TinyModels.finetuner(m, List.of("0", "1", "2"), Finetuner.Config.defaults().withBatchSize(10));
        var batches = f.batches(data, new Rng(2));
        assertThat(batches).hasSize(23);
        assertThat(batches.stream().flatMap(List::stream).toList()).containsExactlyInAnyOrderElementsOf(data);
        for (var b : batches) assertThat(b.getLast().ids().length - b.getFirst().ids().length).isLessThanOrEqualTo(2);
    }
}
