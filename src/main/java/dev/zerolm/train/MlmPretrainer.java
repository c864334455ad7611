package dev.zerolm.train;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.data.Batch;
import dev.zerolm.data.MlmMasker;
import dev.zerolm.data.TokenBatcher;
import dev.zerolm.data.TokenExample;
import dev.zerolm.io.AtomicFiles;
import dev.zerolm.io.StateDicts;
import dev.zerolm.models.Bert;
import dev.zerolm.models.BertCheckpoint;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.WordPiece;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Masked-language-model pretraining of a {@link Bert} on a token stream, with {@link Pretrainer}'s conventions:
 * AdamW under a learning-rate schedule, gradient clipping and accumulation, {@code metrics.jsonl}, {@code loss.png},
 * atomic checkpoints and exact resume.
 * <p>A training sequence is a random window of seqLength - 2 tokens of the stream between [CLS] and [SEP]
 * (windows cross sentence boundaries, like Hugging Face's grouped texts), corrupted by {@link MlmMasker}.
 * The MLM head is applied only at the selected positions, which gives the same loss as scoring every position
 * for about a sixth of the head's work.
 * <p>Output directory: {@code checkpoint/} (latest; Hugging Face BERT layout — config.json, model.safetensors,
 * vocab.txt, tokenizer_config.json — plus optimizer.safetensors and trainer_state.json), {@code best/} (lowest
 * validation loss, Hugging Face layout only, loadable with {@link Bert#fromPretrained}), {@code metrics.jsonl},
 * {@code eval.jsonl} (validation loss and masked-token accuracy per evaluation) and {@code loss.png}.
 */
public final class MlmPretrainer {

    /** How a run ended. */
    public record Result(int step, float trainLoss, Evaluation validation, float bestValLoss, double seconds, List<Float> trainLosses) {}

    /** Mean masked-LM loss and the fraction of selected tokens whose original the model ranks first. */
    public record Evaluation(float loss, float accuracy, long predicted) {}

    private final Bert model;
    private final Rng modelRng;
    private final WordPiece tokenizer;
    private final int[] trainTokens;
    private final int[] valTokens;
    private final int seqLength;
    private final TrainConfig cfg;
    private final Path outDir;
    private final PrintStream out;
    private final MlmMasker masker;

    /**
     * @param modelRng  the Rng the model was built with (its dropout draws from it), checkpointed too
     * @param seqLength tokens per sequence, [CLS] and [SEP] included; at most the model's max positions
     */
    public MlmPretrainer(Bert model, Rng modelRng, WordPiece tokenizer, int[] trainTokens, int[] valTokens, int seqLength,
                         TrainConfig cfg, Path outDir, PrintStream out) {
        if (seqLength < 3 || seqLength > model.config().maxPositionEmbeddings()) {
            throw new IllegalArgumentException("mlm pretrain: sequence length " + seqLength + " must be in [3, "
                    + model.config().maxPositionEmbeddings() + "] (the model's max_position_embeddings)");
        }
        if (tokenizer.vocabSize() != model.config().vocabSize()) {
            throw new IllegalArgumentException("mlm pretrain: the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model's vocab_size is " + model.config().vocabSize());
        }
        int need = seqLength - 1;
        if (trainTokens.length < need || valTokens.length < need) {
            throw new IllegalArgumentException("mlm pretrain: the training (" + trainTokens.length + " tokens) and validation ("
                    + valTokens.length + " tokens) splits each need at least " + need + " tokens for sequences of "
                    + seqLength + "; use more text or a smaller --block-size");
        }
        this.model = model;
        this.modelRng = modelRng;
        this.tokenizer = tokenizer;
        this.trainTokens = trainTokens;
        this.valTokens = valTokens;
        this.seqLength = seqLength;
        this.cfg = cfg;
        this.outDir = outDir;
        this.out = out;
        this.masker = MlmMasker.bert(tokenizer);
    }

    private int killAfter = Integer.MAX_VALUE;

    /** Tests: end the loop abruptly after this many steps, with no final checkpoint, as a kill would. */
    void simulateKillAfter(int steps) {
        this.killAfter = steps;
    }

    public Path checkpointDir() {
        return outDir.resolve("checkpoint");
    }

    public Path bestDir() {
        return outDir.resolve("best");
    }

    public Result run(boolean resume) throws IOException {
        Files.createDirectories(outDir);
        Optimizer optimizer = new AdamW(AdamW.defaultGroups(model, cfg.weightDecay()), cfg.lr(), cfg.beta1(), cfg.beta2(), 1e-8f);
        LrSchedule schedule = LrSchedule.named(cfg.schedule(), cfg.lr(), cfg.minLr(), cfg.warmupSteps(), cfg.steps());
        Rng batchRng = new Rng(cfg.seed());
        int step = 0;
        float best = Float.POSITIVE_INFINITY;
        if (resume) {
            Checkpoint.TrainerState st = loadForResume(optimizer);
            step = st.step();
            batchRng.setState(st.batchRng());
            modelRng.setState(st.modelRng());
            best = st.bestValLoss();
            out.printf("resuming from %s at step %d%n", checkpointDir(), step);
        }
        int B = cfg.batchSize();
        TokenBatcher windows = new TokenBatcher(trainTokens, seqLength - 2, B, batchRng);
        Path logFile = outDir.resolve("metrics.jsonl"), evalFile = outDir.resolve("eval.jsonl");
        if (resume) {
            keepLinesUpTo(logFile, step);
            keepLinesUpTo(evalFile, step);
        } else {
            Files.deleteIfExists(logFile);
            Files.deleteIfExists(evalFile);
        }
        ProgressReporter progress = new ProgressReporter(cfg.steps(), out, ProgressReporter.isTerminal(), 2.0, System::nanoTime);
        long started = System.nanoTime();
        List<Float> losses = new ArrayList<>();
        float loss = Float.NaN;
        Evaluation val = null;
        model.train(true);
        try (MetricsLog log = MetricsLog.open(logFile, resume)) {
            while (step < cfg.steps() && step < killAfter) {
                float lr = schedule.lr(step);
                optimizer.setLearningRate(lr);
                GradAccumulation.Result r = GradAccumulation.step(optimizer, cfg.gradAccum(), cfg.gradClip(),
                        micro -> loss(masker.mask(wrap(windows.next().x(), B), batchRng)));
                step++;
                loss = r.loss();
                losses.add(loss);
                double tokPerS = progress.step(step - 1, loss, lr, (long) B * seqLength * cfg.gradAccum());
                StepMetrics m = StepMetrics.train(step, loss, lr, tokPerS, progress.elapsedSeconds());
                boolean timeUp = cfg.maxSeconds() > 0 && (System.nanoTime() - started) / 1e9 >= cfg.maxSeconds();
                boolean last = step == cfg.steps() || timeUp;
                if (step % cfg.evalInterval() == 0 || last) {
                    val = evaluate();
                    progress.validation(step, val.loss());
                    m = m.withValLoss(val.loss());
                    AtomicFiles.writeString(evalFile, readOrEmpty(evalFile) + String.format(Locale.ROOT,
                            "{\"step\":%d,\"val_loss\":%.6f,\"val_mlm_accuracy\":%.6f,\"val_predicted\":%d}%n",
                            step, val.loss(), val.accuracy(), val.predicted()));
                    if (val.loss() < best) {
                        best = val.loss();
                        saveAtomically(bestDir(), null, null);
                    }
                }
                if (step % cfg.logInterval() == 0 || last || m.valLoss() != null) log.log(m);
                if (last || (cfg.checkpointInterval() > 0 && step % cfg.checkpointInterval() == 0)) {
                    saveAtomically(checkpointDir(), optimizer,
                            new Checkpoint.TrainerState(step, batchRng.state(), modelRng.state(), best, cfg));
                }
                if (timeUp) {
                    out.printf("%nstopping at step %d: the %.0f s time limit was reached (resume with --resume)%n", step, cfg.maxSeconds());
                    break;
                }
            }
        }
        progress.finish();
        List<StepMetrics> all = MetricsLog.read(logFile);
        if (!all.isEmpty()) LossCurvePlot.write(outDir.resolve("loss.png"), all, "ZeroLM MLM pretraining: " + outDir.getFileName());
        return new Result(step, loss, val, best, (System.nanoTime() - started) / 1e9, losses);
    }

    /** B windows (B, seqLength - 2) as [CLS] window [SEP] rows, all real tokens. */
    private Batch wrap(int[] windows, int B) {
        int w = seqLength - 2, T = seqLength;
        int[] ids = new int[B * T], mask = new int[B * T];
        Arrays.fill(mask, 1);
        for (int b = 0; b < B; b++) {
            ids[b * T] = tokenizer.clsId();
            System.arraycopy(windows, b * w, ids, b * T + 1, w);
            ids[b * T + T - 1] = tokenizer.sepId();
        }
        return new Batch(IntTensor.of(ids, B, T), IntTensor.of(mask, B, T), null);
    }

    /** Mean cross-entropy at the selected positions only: hidden (B, T, H) -> rows (1, N, H) -> logits (1, N, V). */
    private Tensor loss(Batch batch) {
        return Bert.mlmLoss(selectedLogits(batch), selectedLabels(batch));
    }

    private Tensor selectedLogits(Batch batch) {
        Tensor hidden = model.forward(batch.inputIds(), null, batch.attentionMask()).lastHiddenState();
        int H = hidden.shape()[2];
        int[] positions = selectedPositions(batch);
        Tensor rows = hidden.reshape(-1, H).indexSelect(0, IntTensor.vector(positions));     // (N, H)
        return model.mlmLogits(rows.reshape(1, positions.length, H));                      // (1, N, V)
    }

    private static int[] selectedPositions(Batch batch) {
        int[] labels = batch.labels().data();
        return IntStream.range(0, labels.length).filter(i -> labels[i] != TokenExample.IGNORE).toArray();
    }

    private static IntTensor selectedLabels(Batch batch) {
        int[] labels = batch.labels().data();
        int[] picked = Arrays.stream(labels).filter(l -> l != TokenExample.IGNORE).toArray();
        return IntTensor.of(picked, 1, picked.length);
    }

    /**
     * Loss and accuracy over cfg.evalBatches batches of consecutive validation windows, masked by an Rng seeded
     * with seed + 1: the same sequences and masks at every evaluation, so evaluations are comparable.
     */
    public Evaluation evaluate() {
        int B = cfg.batchSize(), w = seqLength - 2;
        Rng maskRng = new Rng(cfg.seed() + 1);
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long correct = 0, total = 0;
        int windowsAvailable = Math.max(1, (valTokens.length - w) / w + 1);
        try (var ignored = GradMode.noGrad()) {
            for (int i = 0; i < cfg.evalBatches(); i++) {
                int[] x = new int[B * w];
                for (int b = 0; b < B; b++) {
                    int start = ((i * B + b) % windowsAvailable) * w;
                    System.arraycopy(valTokens, start, x, b * w, w);
                }
                Batch batch = masker.mask(wrap(x, B), maskRng);
                Tensor logits = selectedLogits(batch);
                IntTensor labels = selectedLabels(batch);
                lossSum += Bert.mlmLoss(logits, labels).item();
                int[] predicted = logits.argmax(2, false).data();
                for (int j = 0; j < predicted.length; j++) if (predicted[j] == labels.data()[j]) correct++;
                total += predicted.length;
            }
        } finally {
            model.train(wasTraining);
        }
        return new Evaluation((float) (lossSum / cfg.evalBatches()), (float) correct / total, total);
    }

    /** Writes the model (Hugging Face layout), tokenizer and, for resuming, optimiser and state into dir, atomically. */
    private void saveAtomically(Path dir, Optimizer optimizer, Checkpoint.TrainerState state) throws IOException {
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
        Path old = dir.resolveSibling(dir.getFileName() + ".old");
        Checkpoint.deleteRecursively(tmp);
        BertCheckpoint.save(model, tmp);
        tokenizer.save(tmp);
        if (optimizer != null) StateDicts.save(tmp.resolve("optimizer.safetensors"), optimizer.stateDict(model), Map.of());
        if (state != null) AtomicFiles.writeString(tmp.resolve("trainer_state.json"), Checkpoint.JSON.writeValueAsString(state));
        Checkpoint.deleteRecursively(old);
        if (Files.exists(dir)) Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        Checkpoint.deleteRecursively(old);
    }

    private Checkpoint.TrainerState loadForResume(Optimizer optimizer) throws IOException {
        Path d = checkpointDir();
        if (!Files.isRegularFile(d.resolve("trainer_state.json"))) {
            Path old = d.resolveSibling(d.getFileName() + ".old");
            if (Files.isRegularFile(old.resolve("trainer_state.json"))) d = old;
            else throw new NoSuchFileException(d.toString(), null, "holds no trainer_state.json, so training cannot resume from it");
        }
        model.loadStateDict(StateDicts.load(d.resolve(BertCheckpoint.WEIGHTS_FILE)), true);
        optimizer.loadStateDict(StateDicts.load(d.resolve("optimizer.safetensors")), model);
        return Checkpoint.JSON.readValue(d.resolve("trainer_state.json").toFile(), Checkpoint.TrainerState.class);
    }

    private static String readOrEmpty(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** After a kill, logs may hold steps past the checkpoint; they will be run again, so drop them. */
    private static void keepLinesUpTo(Path jsonl, int step) throws IOException {
        if (!Files.exists(jsonl)) return;
        StringBuilder kept = new StringBuilder();
        for (String line : Files.readAllLines(jsonl)) {
            if (line.isBlank()) continue;
            int s = Checkpoint.JSON.readTree(line).path("step").asInt(Integer.MAX_VALUE);
            if (s <= step) kept.append(line).append('\n');
        }
        AtomicFiles.writeString(jsonl, kept.toString());
    }
}
