package dev.zerolm.train;

import dev.zerolm.models.Bert;
import dev.zerolm.models.BertCheckpoint;
import dev.zerolm.models.BertConfig;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.Tokenizer;
import dev.zerolm.tokenize.WordPiece;
import dev.zerolm.tokenize.WordVocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MlmPretrainerTest {

    private static final String TEXT = "the cat sat on the mat . the dog sat on the log . a bird flew over the tree . ".repeat(30);
    private static final WordPiece TOK = WordVocabulary.build(List.of(TEXT), WordVocabulary.Options.defaults());
    private static final int[] IDS = TOK.encode(TEXT);
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private static BertConfig config(float dropout) {
        return new BertConfig(TOK.vocabSize(), 32, 2, 2, 64, "gelu", 16, 2, 1e-12f, dropout, dropout, 0, 0.02f);
    }

    private static TrainConfig trainConfig(int steps, int checkpointInterval) {
        return new TrainConfig(steps, 8, 1, 5e-3f, 5e-4f, 3, "cosine", 0.01f, 0.9f, 0.99f, 1.0f, 10, 2, 1, checkpointInterval, 7, 0);
    }

    private static MlmPretrainer trainer(Path out, int steps, int checkpointInterval, float dropout) {
        Rng rng = new Rng(3);
        return new MlmPretrainer(new Bert(config(dropout), rng), rng, TOK, IDS, IDS, 16, trainConfig(steps, checkpointInterval), out, QUIET);
    }

    @Test
    void fewStepsLowerTheMaskedLmLoss(@TempDir Path dir) throws Exception {
        MlmPretrainer.Result r = trainer(dir, 40, 0, 0f).run(false);
        List<Float> l = r.trainLosses();
        double first = (l.get(0) + l.get(1) + l.get(2)) / 3, last = (l.get(37) + l.get(38) + l.get(39)) / 3;
        assertThat(first).isGreaterThan(Math.log(TOK.vocabSize()) - 0.5);
        assertThat(last).isLessThan(first - 0.3);
        assertThat(r.validation().accuracy()).isGreaterThan(0.2f);
        assertThat(r.validation().predicted()).isPositive();
        assertThat(Files.readAllLines(dir.resolve("eval.jsonl"))).hasSize(4).allMatch(s -> s.contains("val_mlm_accuracy"));
        assertThat(dir.resolve("loss.png")).exists();
    }

    @Test
    void checkpointIsAHuggingFaceBertWithItsVocabulary(@TempDir Path dir) throws Exception {
        MlmPretrainer trainer = trainer(dir, 10, 0, 0f);
        MlmPretrainer.Result r = trainer.run(false);
        for (String f : List.of("config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json")) {
            assertThat(trainer.bestDir().resolve(f)).exists();
        }
        BertCheckpoint.Loaded loaded = BertCheckpoint.load(trainer.checkpointDir());
        assertThat(loaded.freshlyInitialised()).isEmpty();
        Bert back = loaded.model();
        Tokenizer tok = Tokenizer.load(trainer.checkpointDir());
        assertThat(tok.encode("the dog flew")).containsExactly(TOK.encode("the dog flew"));
        Rng rng = new Rng(0);
        MlmPretrainer again = new MlmPretrainer(back, rng, (WordPiece) tok, IDS, IDS, 16, trainConfig(10, 0), dir.resolve("again"), QUIET);
        assertThat(again.evaluate().loss()).isEqualTo(r.validation().loss());
        Map<String, Tensor> a = Bert.fromPretrained(trainer.checkpointDir()).stateDict();
        assertThat(a.keySet()).contains("bert.encoder.layer.1.attention.self.query.weight", "cls.predictions.bias");
    }

    @Test
    void resumedRunMatchesUninterruptedRun(@TempDir Path dir) throws Exception {
        MlmPretrainer.Result full = trainer(dir.resolve("full"), 12, 6, 0.1f).run(false);
        MlmPretrainer killed = trainer(dir.resolve("split"), 12, 6, 0.1f);
        killed.simulateKillAfter(8);
        assertThat(killed.run(false).trainLosses()).containsExactlyElementsOf(full.trainLosses().subList(0, 8));
        MlmPretrainer.Result resumed = trainer(dir.resolve("split"), 12, 6, 0.1f).run(true);
        assertThat(resumed.trainLosses()).containsExactlyElementsOf(full.trainLosses().subList(6, 12));
        assertThat(resumed.validation().loss()).isEqualTo(full.validation().loss());
        assertThat(MetricsLog.read(dir.resolve("split/metrics.jsonl"))).extracting(StepMetrics::step).doesNotHaveDuplicates();
    }
}
