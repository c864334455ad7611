package dev.zerolm.cli;

import dev.zerolm.data.BrownCorpus;
import dev.zerolm.data.DataPaths;
import dev.zerolm.data.TextCorpus;
import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.nn.PositionalEncoding;
import dev.zerolm.tensor.Parallel;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tokenize.ByteLevelBpe;
import dev.zerolm.tokenize.CharTokenizer;
import dev.zerolm.tokenize.Tokenizer;
import dev.zerolm.train.Checkpoint;
import dev.zerolm.train.Pretrainer;
import dev.zerolm.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `zerolm pretrain`: train a GPT language model from zero on the Brown corpus or any text. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pretrain a GPT language model from zero (causal LM).",
                "Example: zerolm pretrain --preset tiny --tokenizer char --steps 2000 --out runs/brown-char"})
public final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--preset", description = "Model size: tiny (4 layers, 4 heads, 128 wide, context 64) or small "
            + "(6, 6, 384, context 256). Default: ${DEFAULT-VALUE}.", defaultValue = "tiny")
    String preset;

    @Option(names = "--data", description = "A text file or directory to train on (default: the Brown corpus).")
    Path data;

    @Option(names = "--tokenizer", description = "char, bpe (trained on the data) or gpt2. Default: ${DEFAULT-VALUE}.",
            defaultValue = "char")
    String tokenizer;

    @Option(names = "--vocab-size", description = "Vocabulary size of a trained bpe tokenizer. Default: ${DEFAULT-VALUE}.",
            defaultValue = "2048")
    int vocabSize;

    @Option(names = "--n-layer") Integer nLayer;
    @Option(names = "--n-head") Integer nHead;
    @Option(names = "--n-embd") Integer nEmbd;
    @Option(names = "--block-size") Integer blockSize;
    @Option(names = "--dropout") Float dropout;
    @Option(names = "--bias", arity = "1") Boolean bias;
    @Option(names = "--positional", description = "learned, sinusoidal or rotary") PositionalEncoding positional;

    @Option(names = "--steps", description = "Optimiser steps. Default: 2000.") Integer steps;
    @Option(names = "--batch-size", description = "Sequences per micro-batch. Default: 12.") Integer batchSize;
    @Option(names = "--grad-accum", description = "Micro-batches per step. Default: 1.") Integer gradAccum;
    @Option(names = "--lr", description = "Peak learning rate. Default: 1e-3.") Float lr;
    @Option(names = "--min-lr", description = "Final learning rate of the decay. Default: 1e-4.") Float minLr;
    @Option(names = "--warmup", description = "Linear warmup steps. Default: 100.") Integer warmup;
    @Option(names = "--schedule", description = "cosine, linear or constant. Default: cosine.") String schedule;
    @Option(names = "--weight-decay", description = "AdamW decoupled weight decay (matrices only). Default: 0.1.") Float weightDecay;
    @Option(names = "--beta2", description = "AdamW beta2. Default: 0.99.") Float beta2;
    @Option(names = "--grad-clip", description = "Global gradient-norm limit, 0 = off. Default: 1.0.") Float gradClip;
    @Option(names = "--eval-interval", description = "Evaluate every N steps. Default: 250.") Integer evalInterval;
    @Option(names = "--eval-batches", description = "Batches per evaluation. Default: 20.") Integer evalBatches;
    @Option(names = "--checkpoint-interval", description = "Checkpoint every N steps (and at the end). Default: 500.")
    Integer checkpointInterval;
    @Option(names = "--max-seconds", description = "Stop (with a checkpoint) after this much wall time.") Double maxSeconds;
    @Option(names = "--seed", description = "Seed of every random choice. Default: 1337.") Long seed;

    @Option(names = "--out", description = "Output directory. Default: ${DEFAULT-VALUE}.", defaultValue = "runs/pretrain")
    Path out;

    @Option(names = "--resume", description = "Continue from OUT/checkpoint with its model, optimiser, step and RNG state.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        run(System.out);
        return 0;
    }

    Pretrainer.Result run(PrintStream log) throws IOException {
        TextCorpus corpus = loadCorpus(log);
        Tokenizer tok;
        GPTConfig config;
        if (resume) {
            Path dir = out.resolve("checkpoint");
            tok = Checkpoint.loadTokenizer(dir);
            config = Checkpoint.readConfig(dir);
        } else {
            tok = buildTokenizer(corpus, log);
            config = modelConfig(tok.vocabSize());
        }
        long t0 = System.nanoTime();
        int[] train = tok.encode(corpus.train()), valid = tok.encode(corpus.valid());
        log.printf("tokenizer %s: vocabulary %d, %,d training and %,d validation tokens (%.1f s)%n", tok.kind(), tok.vocabSize(),
                train.length, valid.length, (System.nanoTime() - t0) / 1e9);
        TrainConfig tc = trainConfig();
        Rng modelRng = new Rng(tc.seed());
        GPT model = new GPT(config, modelRng);
        log.printf("model: %d layers, %d heads, %d wide, context %d, %,d parameters; %d threads%n", config.nLayer(),
                config.nHead(), config.nEmbd(), config.blockSize(), model.parameterCount(), Parallel.threads());
        Pretrainer trainer = new Pretrainer(model, modelRng, tok, train, valid, tc, out, log);
        Pretrainer.Result r = trainer.run(resume);
        log.printf("done: step %d, train loss %.4f, val loss %.4f (best %.4f), %.1f s. Checkpoint: %s  Curves: %s%n",
                r.step(), r.trainLoss(), r.valLoss(), r.bestValLoss(), r.seconds(), trainer.checkpointDir(), out.resolve("loss.png"));
        return r;
    }

    private TextCorpus loadCorpus(PrintStream log) throws IOException {
        if (data != null) {
            log.println("data: " + data);
            return TextCorpus.load(data);
        }
        Path brownDir = DataPaths.system().brownDir();
        log.println("data: Brown corpus in " + brownDir + " (every 10th document is validation)");
        BrownCorpus brown = BrownCorpus.load(brownDir);
        return new TextCorpus(brown.trainText(), brown.validText());
    }

    private Tokenizer buildTokenizer(TextCorpus corpus, PrintStream log) throws IOException {
        return switch (tokenizer) {
            case "char" -> CharTokenizer.fromCorpus(corpus.train() + corpus.valid());
            case "bpe" -> {
                log.printf("training a byte-level BPE tokenizer of %d tokens...%n", vocabSize);
                yield ByteLevelBpe.train(corpus.train(), vocabSize);
            }
            case "gpt2" -> ByteLevelBpe.load(DataPaths.system().gpt2BpeDir());
            default -> throw new IllegalArgumentException("--tokenizer must be char, bpe or gpt2, got '" + tokenizer + "'");
        };
    }

    private GPTConfig modelConfig(int vocab) {
        GPTConfig base = switch (preset) {
            case "tiny" -> GPTConfig.tiny(vocab);
            case "small" -> GPTConfig.small(vocab);
            default -> throw new IllegalArgumentException("--preset must be tiny or small, got '" + preset + "'");
        };
        return new GPTConfig(vocab, or(blockSize, base.blockSize()), or(nLayer, base.nLayer()), or(nHead, base.nHead()),
                or(nEmbd, base.nEmbd()), or(dropout, base.dropout()), or(bias, base.bias()), or(positional, base.positional()),
                base.ropeTheta(), base.norm(), base.feedForward(), base.activation(), base.normEps());
    }

    private TrainConfig trainConfig() {
        TrainConfig d = TrainConfig.defaults();
        int s = or(steps, d.steps());
        return new TrainConfig(s, or(batchSize, d.batchSize()), or(gradAccum, d.gradAccum()), or(lr, d.lr()), or(minLr, d.minLr()),
                Math.min(or(warmup, d.warmupSteps()), s - 1), or(schedule, d.schedule()), or(weightDecay, d.weightDecay()),
                d.beta1(), or(beta2, d.beta2()), or(gradClip, d.gradClip()), or(evalInterval, d.evalInterval()),
                or(evalBatches, d.evalBatches()), d.logInterval(), or(checkpointInterval, d.checkpointInterval()),
                or(seed, d.seed()), or(maxSeconds, d.maxSeconds()));
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
