package dev.zerolm.train;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.data.TokenBatcher;
import dev.zerolm.models.GPT;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tokenize.Tokenizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The pretraining loop of a GPT on a token stream, like nanoGPT's train.py: sample a batch, forward,
 * backward, clip, AdamW step under a learning-rate schedule; evaluate, log and checkpoint at intervals.
 * <p>Output directory: {@code checkpoint/} (latest, resumable), {@code best/} (lowest validation loss),
 * {@code metrics.jsonl} (every logged step) and {@code loss.png} (the curves).
 * Everything random flows from two saved {@link Rng}s, so a run killed and resumed reproduces the losses
 * of a run never stopped.
 */
public final class Pretrainer {

    /** How a run ended: the last step reached and its losses. */
    public record Result(int step, float trainLoss, float valLoss, float bestValLoss, double seconds, List<Float> trainLosses) {}

    private final GPT model;
    private final Rng modelRng;
    private final Tokenizer tokenizer;
    private final int[] trainTokens;
    private final int[] valTokens;
    private final TrainConfig cfg;
    private final Path outDir;
    private final PrintStream out;

    /**
     * @param modelRng the Rng the model was built with: its dropout draws from it, so it is checkpointed too
     */
    public Pretrainer(GPT model, Rng modelRng, Tokenizer tokenizer, int[] trainTokens, int[] valTokens, TrainConfig cfg,
                      Path outDir, PrintStream out) {
        int need = model.config().blockSize() + 1;
        if (trainTokens.length < need || valTokens.length < need) {
            throw new IllegalArgumentException("pretrain: the training (" + trainTokens.length + " tokens) and validation ("
                    + valTokens.length + " tokens) splits each need at least block size + 1 = " + need
                    + " tokens; use more text or a smaller --block-size");
        }
        this.model = model;
        this.modelRng = modelRng;
        this.tokenizer = tokenizer;
        this.trainTokens = trainTokens;
        this.valTokens = valTokens;
        this.cfg = cfg;
        this.outDir = outDir;
        this.out = out;
    }

    private int killAfter = Integer.MAX_VALUE;

    /** Tests: end the loop abruptly after this many steps, with no final checkpoint, as a kill would. */
    void simulateKillAfter(int steps) {
        this.killAfter = steps;
    }

    public Path checkpointDir() {
        return outDir.resolve("checkpoint");
    }

    public Result run(boolean resume) throws IOException {
        Files.createDirectories(outDir);
        Optimizer optimizer = new AdamW(AdamW.defaultGroups(model, cfg.weightDecay()), cfg.lr(), cfg.beta1(), cfg.beta2(), 1e-8f);
        LrSchedule schedule = LrSchedule.named(cfg.schedule(), cfg.lr(), cfg.minLr(), cfg.warmupSteps(), cfg.steps());
        Rng batchRng = new Rng(cfg.seed());
        int step = 0;
        float best = Float.POSITIVE_INFINITY;
        if (resume) {
            Checkpoint.TrainerState st = Checkpoint.loadForResume(checkpointDir(), model, optimizer);
            step = st.step();
            batchRng.setState(st.batchRng());
            modelRng.setState(st.modelRng());
            best = st.bestValLoss();
            out.printf("resuming from %s at step %d%n", checkpointDir(), step);
        }
        int T = model.config().blockSize(), B = cfg.batchSize();
        TokenBatcher batches = new TokenBatcher(trainTokens, T, B, batchRng);
        Path logFile = outDir.resolve("metrics.jsonl");
        if (resume) dropLoggedStepsAfter(logFile, step);
        else Files.deleteIfExists(logFile);

        ProgressReporter progress = new ProgressReporter(cfg.steps(), out, ProgressReporter.isTerminal(), 2.0, System::nanoTime);
        long started = System.nanoTime();
        List<Float> losses = new ArrayList<>();
        float loss = Float.NaN, val = Float.NaN;
        model.train(true);
        try (MetricsLog log = MetricsLog.open(logFile, resume)) {
            while (step < cfg.steps() && step < killAfter) {
                float lr = schedule.lr(step);
                optimizer.setLearningRate(lr);
                GradAccumulation.Result r = GradAccumulation.step(optimizer, cfg.gradAccum(), cfg.gradClip(), micro -> {
                    TokenBatcher.Batch b = batches.next();
                    return model.loss(IntTensor.of(b.x(), B, T), IntTensor.of(b.y(), B, T));
                });
                step++;
                loss = r.loss();
                losses.add(loss);
                double tokPerS = progress.step(step - 1, loss, lr, (long) B * T * cfg.gradAccum());
                StepMetrics m = StepMetrics.train(step, loss, lr, tokPerS, progress.elapsedSeconds());
                boolean timeUp = cfg.maxSeconds() > 0 && (System.nanoTime() - started) / 1e9 >= cfg.maxSeconds();
                boolean last = step == cfg.steps() || timeUp;
                if (step % cfg.evalInterval() == 0 || last) {
                    val = evaluate();
                    progress.validation(step, val);
                    m = m.withValLoss(val);
                    if (val < best) {
                        best = val;
                        Checkpoint.save(outDir.resolve("best"), model, tokenizer, null, null);
                    }
                }
                if (step % cfg.logInterval() == 0 || last || m.valLoss() != null) log.log(m);
                if (last || (cfg.checkpointInterval() > 0 && step % cfg.checkpointInterval() == 0)) {
                    Checkpoint.save(checkpointDir(), model, tokenizer, optimizer,
                            new Checkpoint.TrainerState(step, batchRng.state(), modelRng.state(), best, cfg));
                }
                if (timeUp) {
                    out.printf("%nstopping at step %d: the %.0f s time limit was reached (resume with --resume)%n", step, cfg.maxSeconds());
                    break;
                }
            }
        }
        progress.finish();
        Path png = outDir.resolve("loss.png");
        List<StepMetrics> all = MetricsLog.read(logFile);
        if (!all.isEmpty()) LossCurvePlot.write(png, all, "ZeroLM pretraining: " + outDir.getFileName());
        return new Result(step, loss, val, best, (System.nanoTime() - started) / 1e9, losses);
    }

    /** Mean loss over cfg.evalBatches validation batches; the same batches at every evaluation. */
    public float evaluate() {
        int T = model.config().blockSize(), B = cfg.batchSize();
        TokenBatcher batches = new TokenBatcher(valTokens, T, B, new Rng(cfg.seed() + 1));
        boolean wasTraining = model.isTraining();
        model.eval();
        double sum = 0;
        try (var ignored = GradMode.noGrad()) {
            for (int i = 0; i < cfg.evalBatches(); i++) {
                TokenBatcher.Batch b = batches.next();
                sum += model.loss(IntTensor.of(b.x(), B, T), IntTensor.of(b.y(), B, T)).item();
            }
        } finally {
            model.train(wasTraining);
        }
        return (float) (sum / cfg.evalBatches());
    }

    /** After a kill, the log may hold steps past the checkpoint; they will be run again, so drop them. */
    private static void dropLoggedStepsAfter(Path logFile, int step) throws IOException {
        if (!Files.exists(logFile)) return;
        List<StepMetrics> kept = MetricsLog.read(logFile).stream().filter(m -> m.step() <= step).toList();
        Files.delete(logFile);
        try (MetricsLog log = MetricsLog.open(logFile, false)) {
            for (StepMetrics m : kept) log.log(m);
        }
    }
}
