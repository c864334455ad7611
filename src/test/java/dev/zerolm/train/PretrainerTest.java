package dev.zerolm.train;

import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.CharTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PretrainerTest {

    private static final String TEXT = "the cat sat on the mat. the dog sat on the log. ".repeat(40);
    private static final CharTokenizer TOK = CharTokenizer.fromCorpus(TEXT);
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private static GPTConfig tinyConfig(float dropout) {
        return new GPTConfig(TOK.vocabSize(), 16, 2, 2, 32, dropout, true, dev.zerolm.nn.PositionalEncoding.LEARNED, 10000f,
                dev.zerolm.nn.NormKind.LAYER_NORM, dev.zerolm.nn.FeedForwardKind.MLP, dev.zerolm.nn.Activation.GELU_TANH, 1e-5f);
    }

    private static TrainConfig trainConfig(int steps, int checkpointInterval) {
        return new TrainConfig(steps, 4, 1, 3e-3f, 3e-4f, 2, "cosine", 0.1f, 0.9f, 0.99f, 1.0f, 5, 2, 1, checkpointInterval, 7, 0);
    }

    private static Pretrainer.Result train(Path out, int steps, int checkpointInterval, float dropout, boolean resume) throws Exception {
        return train(out, steps, checkpointInterval, dropout, resume, Integer.MAX_VALUE);
    }

    private static Pretrainer.Result train(Path out, int steps, int checkpointInterval, float dropout, boolean resume,
                                           int killAfter) throws Exception {
        int[] ids = TOK.encode(TEXT);
        Rng rng = new Rng(3);
        GPT model = new GPT(tinyConfig(dropout), rng);
        Pretrainer p = new Pretrainer(model, rng, TOK, ids, ids, trainConfig(steps, checkpointInterval), out, QUIET);
        p.simulateKillAfter(killAfter);
        return p.run(resume);
    }

    @Test
    void tinyModelLearnsATinyCorpus(@TempDir Path dir) throws Exception {
        int[] ids = TOK.encode(TEXT);
        Rng rng = new Rng(3);
        GPT model = new GPT(tinyConfig(0f), rng);
        TrainConfig cfg = new TrainConfig(150, 8, 1, 1e-2f, 1e-3f, 10, "cosine", 0.0f, 0.9f, 0.99f, 1.0f, 50, 4, 10, 0, 7, 0);
        Pretrainer.Result r = new Pretrainer(model, rng, TOK, ids, ids, cfg, dir, QUIET).run(false);
        assertThat(r.trainLosses().get(0)).isGreaterThan(2.0f);
        assertThat(r.valLoss()).isLessThan(0.5f);
        assertThat(dir.resolve("loss.png")).exists();
        assertThat(Files.readAllLines(dir.resolve("metrics.jsonl"))).isNotEmpty();
    }

    @Test
    void resumedRunMatchesUninterruptedRun(@TempDir Path dir) throws Exception {
        // Dropout is on, so the model's RNG state must be restored too.
        Pretrainer.Result full = train(dir.resolve("full"), 12, 6, 0.1f, false);
        // Killed at step 8: the last checkpoint is from step 6, so steps 7 and 8 are run again after resuming.
        Pretrainer.Result killed = train(dir.resolve("split"), 12, 6, 0.1f, false, 8);
        assertThat(killed.trainLosses()).containsExactlyElementsOf(full.trainLosses().subList(0, 8));
        Pretrainer.Result resumed = train(dir.resolve("split"), 12, 6, 0.1f, true);
        assertThat(resumed.trainLosses()).containsExactlyElementsOf(full.trainLosses().subList(6, 12));
        assertThat(resumed.valLoss()).isEqualTo(full.valLoss());
        assertThat(MetricsLog.read(dir.resolve("split/metrics.jsonl"))).extracting(StepMetrics::step).doesNotHaveDuplicates();
    }

    @Test
    void sameSeedSameLosses(@TempDir Path dir) throws Exception {
        assertThat(train(dir.resolve("a"), 5, 0, 0.1f, false).trainLosses())
                .containsExactlyElementsOf(train(dir.resolve("b"), 5, 0, 0.1f, false).trainLosses());
    }

    @Test
    void checkpointRoundTripRestoresWeightsConfigAndTokenizer(@TempDir Path dir) throws Exception {
        train(dir, 3, 0, 0f, false);
        Path ckpt = dir.resolve("checkpoint");
        assertThat(ckpt.resolve("model.safetensors")).exists();
        assertThat(ckpt.resolve("optimizer.safetensors")).exists();
        assertThat(ckpt.resolve("trainer_state.json")).exists();
        assertThat(dir.resolve("checkpoint.tmp")).doesNotExist();
        GPT loaded = Checkpoint.loadModel(ckpt);
        assertThat(loaded.config()).isEqualTo(tinyConfig(0f));
        Map<String, Tensor> saved = dev.zerolm.io.StateDicts.load(ckpt.resolve("model.safetensors"));
        for (var e : loaded.stateDict().entrySet()) {
            assertThat(e.getValue().toArray()).containsExactly(saved.get(e.getKey()).toArray());
        }
        assertThat(Checkpoint.loadTokenizer(ckpt).encode("the cat")).containsExactly(TOK.encode("the cat"));
    }

    @Test
    void interruptedSaveLeavesThePreviousCheckpointReadable(@TempDir Path dir) throws Exception {
        train(dir, 3, 0, 0f, false);
        Path ckpt = dir.resolve("checkpoint");
        // Simulate a kill between the two renames: only checkpoint.old exists.
        Files.move(ckpt, dir.resolve("checkpoint.old"));
        assertThat(Checkpoint.loadModel(ckpt)).isNotNull();
    }

    @Test
    void resumeWithoutCheckpointSaysWhatIsMissing(@TempDir Path dir) {
        assertThatThrownBy(() -> train(dir, 3, 0, 0f, true)).hasMessageContaining("not a ZeroLM checkpoint");
    }

    @Test
    void corruptWeightsFileIsReportedWithItsName(@TempDir Path dir) throws Exception {
        train(dir, 3, 0, 0f, false);
        Path weights = dir.resolve("checkpoint/model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> Checkpoint.loadModel(dir.resolve("checkpoint"))).hasMessageContaining("model.safetensors");
    }

    @Test
    void tooLittleTextIsRejectedClearly() {
        Rng rng = new Rng(1);
        GPT model = new GPT(tinyConfig(0f), rng);
        assertThatThrownBy(() -> new Pretrainer(model, rng, TOK, new int[5], new int[100], trainConfig(2, 0), Path.of("x"), QUIET))
                .hasMessageContaining("block size");
    }

    @Test
    void aCheckpointPathThatDoesNotExistIsNamedAsSuch(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no-such-run");
        assertThatThrownBy(() -> Checkpoint.loadModel(missing)).hasMessageContaining(missing + ": no such directory");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> Checkpoint.loadModel(empty)).hasMessageContaining("no config.json");
    }
}
