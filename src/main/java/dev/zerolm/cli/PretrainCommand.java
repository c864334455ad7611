package dev.zerolm.cli;

import dev.zerolm.data.BrownCorpus;
import dev.zerolm.data.DataPaths;
import dev.zerolm.data.TextCorpus;
import dev.zerolm.models.Bert;
import dev.zerolm.models.BertCheckpoint;
import dev.zerolm.models.BertConfig;
import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.nn.PositionalEncoding;
import dev.zerolm.tensor.Parallel;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tokenize.ByteLevelBpe;
import dev.zerolm.tokenize.CharTokenizer;
import dev.zerolm.tokenize.Tokenizer;
import dev.zerolm.tokenize.WordPiece;
import dev.zerolm.tokenize.WordVocabulary;
import dev.zerolm.train.Checkpoint;
import dev.zerolm.train.MlmPretrainer;
import dev.zerolm.train.Pretrainer;
import dev.zerolm.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * `zerolm pretrain`: train a GPT language model (causal LM) or a BERT encoder (masked LM) from zero on the Brown
 * corpus or any text.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pretrain a model from zero: a GPT (--objective clm) or a BERT encoder (--objective mlm).",
                "Example: zerolm pretrain --preset tiny --tokenizer char --steps 2000 --out runs/brown-char",
                "Example: zerolm pretrain --objective mlm --tokenizer word --steps 2000 --out runs/brown-bert"})
public final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--objective", description = "clm (next-token prediction, a GPT) or mlm (masked LM, a BERT encoder: "
            + "15%% of tokens selected, 80%% [MASK] / 10%% random / 10%% kept). Default: ${DEFAULT-VALUE}.", defaultValue = "clm")
    String objective;

    @Option(names = "--preset", description = "Model size: tiny (4 layers, 4 heads, 128 wide, context 64) or small "
            + "(6, 6, 384, context 256). Default: ${DEFAULT-VALUE}.", defaultValue = "tiny")
    String preset;

    @Option(names = "--data", description = "A text file or directory to train on (default: the Brown corpus).")
    Path data;

    @Option(names = "--tokenizer", description = "clm: char, bpe (trained on the data) or gpt2 (default char). "
            + "mlm: word (word-level vocabulary of the training text) or wordpiece (words plus characters, so no word "
            + "is [UNK]) (default word).")
    String tokenizer;

    @Option(names = "--vocab-size", description = "Vocabulary size of a trained tokenizer: bpe (default 2048) or "
            + "word/wordpiece (at most; default 16000).")
    Integer vocabSize;

    @Option(names = "--min-frequency", description = "mlm: words seen fewer times in training are not in the vocabulary. "
            + "Default: ${DEFAULT-VALUE}.", defaultValue = "2")
    int minFrequency;

    @Option(names = "--cased", description = "mlm: keep case in the vocabulary (default: lower-case, as uncased BERT).")
    boolean cased;

    @Option(names = "--init", description = "mlm: how a new encoder's linear weights are drawn: fan-in (N(0, 1/fan_in), "
            + "as T5; trains small encoders much faster) or hf (Hugging Face BERT's fixed N(0, 0.02)). Default: fan-in.")
    String init;

    @Option(names = "--n-layer", description = "Blocks (default: the preset's).") Integer nLayer;
    @Option(names = "--n-head", description = "Attention heads (default: the preset's).") Integer nHead;
    @Option(names = "--n-embd", description = "Width (default: the preset's).") Integer nEmbd;
    @Option(names = "--block-size", description = "Context length in tokens (default: the preset's).") Integer blockSize;
    @Option(names = "--dropout", description = "Dropout in the blocks (default: the preset's).") Float dropout;
    @Option(names = "--bias", arity = "1", description = "true or false: biases in linear layers and norms (default: the preset's).") Boolean bias;
    @Option(names = "--positional", description = "learned, sinusoidal or rotary") PositionalEncoding positional;

    @Option(names = "--gradient-checkpointing", description = "Keep only each block's input in the forward pass and "
            + "re-run the block in backward: activation memory of one block instead of all, for about one more forward pass.")
    boolean gradientCheckpointing;

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
        switch (objective) {
            case "clm" -> run(System.out);
            case "mlm" -> runMlm(System.out);
            default -> throw new IllegalArgumentException("--objective must be clm or mlm, got '" + objective + "'");
        }
        return 0;
    }

    /** Masked-LM pretraining of a BERT encoder; checkpoints in Hugging Face's BERT layout. */
    MlmPretrainer.Result runMlm(PrintStream log) throws IOException {
        Bert.Init initScheme = bertInit();                        // a wrong --init fails before the corpus loads
        TextCorpus corpus = loadCorpus(log);
        WordPiece tok;
        BertConfig config;
        if (resume) {
            Path dir = out.resolve("checkpoint");
            tok = WordPiece.load(dir);
            config = BertConfig.fromJson(dir.resolve(BertCheckpoint.CONFIG_FILE));
        } else {
            String kind = tokenizer == null ? "word" : tokenizer;
            if (!kind.equals("word") && !kind.equals("wordpiece")) {
                throw new IllegalArgumentException("--tokenizer for --objective mlm must be word or wordpiece, got '" + kind + "'");
            }
            WordVocabulary.Options options = new WordVocabulary.Options(!cased, minFrequency, or(vocabSize, 16_000),
                    kind.equals("wordpiece"));
            tok = WordVocabulary.build(corpus.train().lines().toList(), options);
            config = bertConfig(tok.vocabSize());
        }
        long t0 = System.nanoTime();
        int[] train = tok.encode(corpus.train()), valid = tok.encode(corpus.valid());
        log.printf("tokenizer %s: vocabulary %d, %,d training and %,d validation tokens (%.1f s)%n", tok.kind(), tok.vocabSize(),
                train.length, valid.length, (System.nanoTime() - t0) / 1e9);
        TrainConfig tc = trainConfig();
        Rng modelRng = new Rng(tc.seed());
        Bert model = new Bert(config, modelRng, initScheme);
        model.setGradientCheckpointing(gradientCheckpointing);
        int seqLength = config.maxPositionEmbeddings();
        log.printf("model: BERT, %d layers, %d heads, %d wide, sequences of %d, %,d parameters; %d threads%s%n",
                config.numHiddenLayers(), config.numAttentionHeads(), config.hiddenSize(), seqLength, model.parameterCount(),
                Parallel.threads(), gradientCheckpointing ? "; gradient checkpointing" : "");
        MlmPretrainer trainer = new MlmPretrainer(model, modelRng, tok, train, valid, seqLength, tc, out, log);
        MlmPretrainer.Result r = trainer.run(resume);
        log.printf("done: step %d, train loss %.4f, val loss %.4f (best %.4f), val masked-token accuracy %.2f%% of %,d, %.1f s."
                        + " Best model (Hugging Face BERT layout): %s%n", r.step(), r.trainLoss(), r.validation().loss(),
                r.bestValLoss(), 100 * r.validation().accuracy(), r.validation().predicted(), r.seconds(), trainer.bestDir());
        return r;
    }

    private Bert.Init bertInit() {
        return switch (init == null ? "fan-in" : init) {
            case "fan-in" -> Bert.Init.FAN_IN;
            case "hf" -> Bert.Init.HF;
            default -> throw new IllegalArgumentException("--init must be fan-in or hf, got '" + init + "'");
        };
    }

    private BertConfig bertConfig(int vocab) {
        if (!preset.equals("tiny")) throw new IllegalArgumentException("--preset for --objective mlm must be tiny, got '" + preset + "'");
        BertConfig base = BertConfig.tiny(vocab);
        int hidden = or(nEmbd, base.hiddenSize());
        float drop = or(dropout, base.hiddenDropoutProb());
        return new BertConfig(vocab, hidden, or(nLayer, base.numHiddenLayers()), or(nHead, base.numAttentionHeads()), 4 * hidden,
                base.hiddenAct(), or(blockSize, base.maxPositionEmbeddings()), base.typeVocabSize(), base.layerNormEps(),
                drop, drop, base.padTokenId(), base.initializerRange());
    }

    Pretrainer.Result run(PrintStream log) throws IOException {
        if (init != null) throw new IllegalArgumentException("--init applies to --objective mlm only (a GPT is initialised as GPT-2 is)");
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
        model.setGradientCheckpointing(gradientCheckpointing);
        log.printf("model: %d layers, %d heads, %d wide, context %d, %,d parameters; %d threads%s%n", config.nLayer(),
                config.nHead(), config.nEmbd(), config.blockSize(), model.parameterCount(), Parallel.threads(),
                gradientCheckpointing ? "; gradient checkpointing" : "");
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
        return switch (tokenizer == null ? "char" : tokenizer) {
            case "char" -> CharTokenizer.fromCorpus(corpus.train() + corpus.valid());
            case "bpe" -> {
                int size = or(vocabSize, 2048);
                log.printf("training a byte-level BPE tokenizer of %d tokens...%n", size);
                yield ByteLevelBpe.train(corpus.train(), size);
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
