package dev.zerolm.finetune;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.eval.ConfusionMatrix;
import dev.zerolm.io.IOConsumer;
import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.train.AdamW;
import dev.zerolm.train.GradClip;
import dev.zerolm.train.LrSchedule;
import dev.zerolm.train.Optimizer;
import dev.zerolm.train.ParamGroup;
import dev.zerolm.train.ProgressReporter;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * Trains a {@link TaskModel} on a finite labelled dataset: epochs of shuffled, length-bucketed, padded batches;
 * AdamW over the trainable parameters only, linear warmup then linear decay to zero, gradient clipping; evaluation
 * on held-out data every epoch or every N steps; early stopping when the chosen metric has not improved for
 * {@code patience} evaluations; the best weights are kept (and handed to a saver) and restored at the end.
 *
 * @param <E> one example, turned into tensors by the {@link Collator}
 */
public final class Finetuner<E> {

    /**
     * Padded tensors of a batch: ids and mask (B, T); labels (B) for sequences or (B, T) for tokens, -100 = ignore;
     * for tokens, where each token's word starts (B, T), or null when the model needs none.
     */
    public record Batch(IntTensor ids, IntTensor attentionMask, IntTensor labels, IntTensor wordStarts) {
        public Batch(IntTensor ids, IntTensor attentionMask, IntTensor labels) {
            this(ids, attentionMask, labels, null);
        }
    }

    /** Pads a list of examples into one batch. */
    @FunctionalInterface
    public interface Collator<E> {
        Batch collate(List<E> examples);
    }

    /**
     * @param epochs          passes over the training set (the most: early stopping may end sooner)
     * @param batchSize       examples per step
     * @param lr              peak learning rate
     * @param weightDecay     AdamW decay of weight matrices
     * @param layerDecay      discriminative learning rates: block i of n trains at lr·layerDecay^(n-i) (1 = off)
     * @param loraPlusRatio   LoRA+: LoRA's B matrices train at lr·loraPlusRatio (1 = off)
     * @param warmupFraction  share of all steps spent warming the learning rate up linearly
     * @param gradClip        global gradient-norm limit (0 = off)
     * @param evalEvery       evaluate every N steps (0 = at the end of every epoch)
     * @param metric          what "best" means: accuracy, macro_f1 (higher is better) or loss (lower)
     * @param patience        stop after this many evaluations without improvement (0 = never stop early)
     * @param seed            shuffling seed
     */
    public record Config(int epochs, int batchSize, float lr, float weightDecay, float layerDecay, float loraPlusRatio,
                         float warmupFraction, float gradClip, int evalEvery, String metric, int patience, long seed) {
        public Config {
            if (epochs < 1 || batchSize < 1) throw new IllegalArgumentException("finetune: epochs and batch size must be >= 1, got " + epochs + " and " + batchSize);
            if (!(lr > 0)) throw new IllegalArgumentException("finetune: learning rate must be > 0, got " + lr);
            if (!(loraPlusRatio > 0)) throw new IllegalArgumentException("finetune: LoRA+ learning-rate ratio must be > 0, got " + loraPlusRatio);
            if (!(warmupFraction >= 0 && warmupFraction < 1)) throw new IllegalArgumentException("finetune: warmup fraction must be in [0, 1), got " + warmupFraction);
            if (evalEvery < 0 || patience < 0) throw new IllegalArgumentException("finetune: eval interval and patience must be >= 0");
            EvalResult.checkMetric(metric);
        }

        public static Config defaults() {
            return new Config(3, 32, 5e-4f, 0.01f, 1f, 1f, 0.1f, 1f, 0, "accuracy", 0, 1337);
        }

        public Config withEpochs(int e) { return new Config(e, batchSize, lr, weightDecay, layerDecay, loraPlusRatio, warmupFraction, gradClip, evalEvery, metric, patience, seed); }
        public Config withLr(float l) { return new Config(epochs, batchSize, l, weightDecay, layerDecay, loraPlusRatio, warmupFraction, gradClip, evalEvery, metric, patience, seed); }
        public Config withBatchSize(int b) { return new Config(epochs, b, lr, weightDecay, layerDecay, loraPlusRatio, warmupFraction, gradClip, evalEvery, metric, patience, seed); }
        public Config withEarlyStopping(String m, int p, int every) { return new Config(epochs, batchSize, lr, weightDecay, layerDecay, loraPlusRatio, warmupFraction, gradClip, every, m, p, seed); }
    }

    /** Held-out loss (mean over labelled positions) and the confusion matrix of the predictions. */
    public record EvalResult(double loss, ConfusionMatrix matrix) {
        public double metric(String name) {
            return switch (checkMetric(name)) {
                case "accuracy" -> matrix.accuracy();
                case "macro_f1" -> matrix.macroF1();
                default -> loss;
            };
        }

        static String checkMetric(String name) {
            if (!List.of("accuracy", "macro_f1", "loss").contains(name)) {
                throw new IllegalArgumentException("unknown metric '" + name + "'; choose accuracy, macro_f1 or loss");
            }
            return name;
        }

        static boolean better(String metric, double candidate, double best) {
            return metric.equals("loss") ? candidate < best : candidate > best;
        }
    }

    /** How a run went: the best evaluation, the step it was taken after, steps run, and whether patience ran out. */
    public record Result(EvalResult best, int bestStep, int steps, boolean stoppedEarly, double seconds) {}

    private final TaskModel model;
    private final List<String> labels;
    private final Config config;
    private final Collator<E> collator;
    private final ToIntFunction<E> length;
    private final PrintStream out;

    /** length gives an example's token count, so batches group examples of similar length (less padding). */
    public Finetuner(TaskModel model, List<String> labels, Config config, Collator<E> collator, ToIntFunction<E> length, PrintStream out) {
        if (labels.size() != model.numLabels()) {
            throw new IllegalArgumentException("finetune: " + labels.size() + " label names for a head of " + model.numLabels() + " labels");
        }
        this.model = model;
        this.labels = List.copyOf(labels);
        this.config = config;
        this.collator = collator;
        this.length = length;
        this.out = out;
    }

    /**
     * Trains on train, evaluating on valid; onBest (may be null) is called after every new best evaluation, e.g. to
     * save the model. The model ends with the best weights, in eval mode.
     */
    public Result fit(List<E> train, List<E> valid, IOConsumer<EvalResult> onBest) throws IOException {
        if (train.isEmpty() || valid.isEmpty()) throw new IllegalArgumentException("finetune: needs training and validation examples, got "
                + train.size() + " and " + valid.size());
        List<ParamGroup> groups = Trainable.groups(model, config.weightDecay(), config.layerDecay(), config.loraPlusRatio());
        Optimizer optimizer = new AdamW(groups, config.lr(), 0.9f, 0.999f, 1e-8f);
        List<Tensor> trainable = optimizer.parameters();
        Rng rng = new Rng(config.seed());
        int stepsPerEpoch = (train.size() + config.batchSize() - 1) / config.batchSize();
        int totalSteps = stepsPerEpoch * config.epochs();
        int warmup = Math.min(totalSteps - 1, Math.round(config.warmupFraction() * totalSteps));
        LrSchedule schedule = totalSteps > 1 ? new LrSchedule.LinearDecay(config.lr(), 0f, warmup, totalSteps) : new LrSchedule.Constant(config.lr());
        ProgressReporter progress = new ProgressReporter(totalSteps, out, false, 10.0, System::nanoTime);

        EvalResult best = null;
        int bestStep = -1, sinceBest = 0, step = 0;
        List<Tensor> bestWeights = null;
        boolean stop = false;
        for (int epoch = 0; epoch < config.epochs() && !stop; epoch++) {
            List<List<E>> batches = batches(train, rng);
            for (int b = 0; b < batches.size() && !stop; b++) {
                model.train(true);
                Batch batch = collator.collate(batches.get(b));
                optimizer.releaseGrads();                          // last step's, applied
                float lossValue;
                try (var pass = BufferPool.trainingPass()) {       // activations recycled once backward is done
                    Tensor loss = model.loss(model.logits(batch), batch.labels());
                    lossValue = loss.item();
                    loss.backward();
                }
                if (config.gradClip() > 0) GradClip.clipGlobalNorm(trainable, config.gradClip());
                float lr = schedule.lr(step);
                optimizer.setLearningRate(lr);
                optimizer.step();
                progress.step(step, lossValue, lr, batch.ids().numel());
                step++;
                boolean endOfEpoch = b == batches.size() - 1;
                if (config.evalEvery() > 0 ? step % config.evalEvery() == 0 || step == totalSteps : endOfEpoch) {
                    EvalResult r = evaluate(valid);
                    double value = r.metric(config.metric());
                    boolean improved = best == null || EvalResult.better(config.metric(), value, best.metric(config.metric()));
                    out.printf(Locale.ROOT, "epoch %d step %d: val loss %.4f | accuracy %.4f | macro-F1 %.4f%s%n", epoch + 1, step,
                            r.loss(), r.matrix().accuracy(), r.matrix().macroF1(), improved ? " | best" : "");
                    if (improved) {
                        best = r;
                        bestStep = step;
                        sinceBest = 0;
                        bestWeights = snapshot(trainable);
                        if (onBest != null) onBest.accept(r);
                    } else if (config.patience() > 0 && ++sinceBest >= config.patience()) {
                        out.printf(Locale.ROOT, "early stop: %s has not improved for %d evaluations (best %.4f at step %d)%n",
                                config.metric(), sinceBest, best.metric(config.metric()), bestStep);
                        stop = true;
                    }
                }
            }
        }
        progress.finish();
        if (bestWeights != null) restore(trainable, bestWeights);
        model.eval();
        return new Result(best, bestStep, step, stop, progress.elapsedSeconds());
    }

    /** Loss and confusion matrix over examples, in eval mode without a graph. */
    public EvalResult evaluate(List<E> examples) {
        return evaluate(model, labels, examples, collator, length, config.batchSize());
    }

    /** As {@link #evaluate(List)}, for any model and collator. */
    public static <E> EvalResult evaluate(TaskModel model, List<String> labels, List<E> examples, Collator<E> collator,
                                          ToIntFunction<E> length, int batchSize) {
        boolean wasTraining = model.isTraining();
        model.eval();
        ConfusionMatrix matrix = new ConfusionMatrix(labels);
        double lossSum = 0;
        long counted = 0;
        List<E> sorted = new ArrayList<>(examples);
        sorted.sort(Comparator.comparingInt(length));
        try (var ignored = GradMode.noGrad()) {
            for (int i = 0; i < sorted.size(); i += batchSize) {
                Batch batch = collator.collate(sorted.subList(i, Math.min(sorted.size(), i + batchSize)));
                Tensor logits = model.logits(batch);
                int[] gold = batch.labels().data();
                int n = 0;
                for (int g : gold) if (g != TaskModel.IGNORE_INDEX) n++;
                if (n == 0) continue;
                lossSum += model.loss(logits, batch.labels()).item() * n;
                counted += n;
                int[] predicted = logits.argmax(-1, false).data();
                for (int k = 0; k < gold.length; k++) if (gold[k] != TaskModel.IGNORE_INDEX) matrix.add(gold[k], predicted[k]);
            }
        }
        model.train(wasTraining);
        return new EvalResult(counted == 0 ? Double.NaN : lossSum / counted, matrix);
    }

    /**
     * This epoch's batches: a random permutation cut into pools of 50 batches, each pool sorted by length and cut
     * into batches (similar lengths pad little), then the batch order shuffled.
     */
    List<List<E>> batches(List<E> data, Rng rng) {
        List<E> shuffled = new ArrayList<>(data);
        for (int i = shuffled.size() - 1; i > 0; i--) java.util.Collections.swap(shuffled, i, rng.nextInt(i + 1));
        int pool = config.batchSize() * 50;
        List<List<E>> batches = new ArrayList<>();
        for (int p = 0; p < shuffled.size(); p += pool) {
            List<E> chunk = new ArrayList<>(shuffled.subList(p, Math.min(shuffled.size(), p + pool)));
            chunk.sort(Comparator.comparingInt(length));
            for (int i = 0; i < chunk.size(); i += config.batchSize()) {
                batches.add(chunk.subList(i, Math.min(chunk.size(), i + config.batchSize())));
            }
        }
        for (int i = batches.size() - 1; i > 0; i--) java.util.Collections.swap(batches, i, rng.nextInt(i + 1));
        return batches;
    }

    private static List<Tensor> snapshot(List<Tensor> params) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor p : params) out.add(p.detach().copy());
        return out;
    }

    private static void restore(List<Tensor> params, List<Tensor> saved) {
        try (var ignored = GradMode.noGrad()) {
            for (int i = 0; i < params.size(); i++) params.get(i).copyFrom(saved.get(i));
        }
    }
}
