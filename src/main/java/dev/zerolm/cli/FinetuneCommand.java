package dev.zerolm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerolm.data.BrownCorpus;
import dev.zerolm.data.BrownGenre;
import dev.zerolm.data.BrownPos;
import dev.zerolm.data.BrownTags;
import dev.zerolm.data.ClassificationData;
import dev.zerolm.data.ConllTagging;
import dev.zerolm.data.DataPaths;
import dev.zerolm.data.JsonlClassification;
import dev.zerolm.data.LabelVocab;
import dev.zerolm.data.MostFrequentTagBaseline;
import dev.zerolm.data.TaggedSentence;
import dev.zerolm.data.TaggingData;
import dev.zerolm.data.TextExample;
import dev.zerolm.eval.ConfusionMatrix;
import dev.zerolm.eval.ConfusionMatrixPlot;
import dev.zerolm.eval.NaiveBayes;
import dev.zerolm.finetune.Adapters;
import dev.zerolm.finetune.Backbone;
import dev.zerolm.finetune.FineTunedModel;
import dev.zerolm.finetune.Finetuner;
import dev.zerolm.finetune.LoraConfig;
import dev.zerolm.finetune.Method;
import dev.zerolm.finetune.TaskEncoder;
import dev.zerolm.finetune.TaskModel;
import dev.zerolm.finetune.Trainable;
import dev.zerolm.models.Bert;
import dev.zerolm.models.BertConfig;
import dev.zerolm.models.GPT;
import dev.zerolm.models.hf.HfModel;
import dev.zerolm.tensor.Parallel;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tokenize.Tokenizer;
import dev.zerolm.tokenize.WordPiece;
import dev.zerolm.tokenize.WordPieceConfig;
import dev.zerolm.tokenize.WordPieceVocabBuilder;
import dev.zerolm.train.Checkpoint;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** `zerolm finetune`: adapt a pretrained (or fresh) model to a classification or tagging task. */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune a model for sequence classification or tagging (full, frozen, LoRA or adapters).",
                "Example: zerolm finetune --task brown-genre --base runs/bert-mlm --method lora --target query,value --out runs/genre-lora"})
public final class FinetuneCommand implements Callable<Integer> {

    @Option(names = "--task", required = true, description = "brown-pos, brown-genre, classify (JSONL {\"text\",\"label\"}) or tag (CoNLL columns).")
    String task;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--base", description = "Pretrained model: a Hugging Face BERT or GPT-2 directory, a ZeroLM pretrain checkpoint, "
                + "or a model fine-tuned with full/freeze (its backbone is reused).")
        Path base;
        @Option(names = "--from-scratch", description = "A fresh BERT encoder with a WordPiece vocabulary built from the training words.")
        boolean fromScratch;
    }

    @Option(names = "--method", defaultValue = "full", description = "full, freeze, lora or adapter. Default: ${DEFAULT-VALUE}.")
    String method;
    @Option(names = "--freeze-blocks", defaultValue = "0", description = "With full: freeze embeddings and the first K blocks.")
    int freezeBlocks;
    @Option(names = "--freeze-embeddings", description = "With full: freeze the embedding tables only; every block trains.")
    boolean freezeEmbeddings;
    @Option(names = "--layer-decay", defaultValue = "1", description = "Discriminative LR: block i of n trains at lr*d^(n-i). Default: 1 (off).")
    float layerDecay;
    @Option(names = "--lora-r", defaultValue = "8", description = "LoRA rank r. Default: ${DEFAULT-VALUE}.") int loraR;
    @Option(names = "--lora-alpha", defaultValue = "16", description = "LoRA alpha: the update is scaled by alpha/r. Default: ${DEFAULT-VALUE}.") float loraAlpha;
    @Option(names = "--lora-dropout", defaultValue = "0.05", description = "Dropout on LoRA's input. Default: ${DEFAULT-VALUE}.") float loraDropout;
    @Option(names = "--loraplus-lr-ratio", defaultValue = "1", description = "LoRA+: LoRA's B matrices train at lr times this "
            + "(PEFT's loraplus_lr_ratio; its paper suggests 16 with a lower --lr). Default: ${DEFAULT-VALUE} (off).")
    float loraPlusRatio;
    @Option(names = "--lora-rank-pattern", split = ",", description = "Per-module ranks (PEFT's rank_pattern), e.g. "
            + "word_embeddings=8,query=2; a module no key names gets --lora-r.")
    java.util.LinkedHashMap<String, Integer> loraRankPattern;
    @Option(names = "--lora-alpha-pattern", split = ",", description = "Per-module alphas (PEFT's alpha_pattern), e.g. word_embeddings=32.")
    java.util.LinkedHashMap<String, Float> loraAlphaPattern;
    @Option(names = "--target", split = ",", description = "LoRA target modules: names (c_attn, query), regexes, or all-linear; "
            + "an embedding table too by name (word_embeddings, wte). Default: c_attn for GPT, query,value for BERT. "
            + "With adapter: LoRA on these modules as well as the adapters (none by default).")
    List<String> targets;
    @Option(names = "--adapter-size", defaultValue = "16", description = "Bottleneck width of adapters. Default: ${DEFAULT-VALUE}.")
    int adapterSize;
    @Option(names = "--adapter-kind", defaultValue = "sequential", description = "sequential: after each attention and "
            + "feed-forward sublayer, on its output (Houlsby); parallel: beside each, reading its input, output times "
            + "--adapter-scale (He et al.). Default: ${DEFAULT-VALUE}.")
    String adapterKind;
    @Option(names = "--adapter-scale", description = "What parallel adapters' outputs are multiplied by. Default: "
            + Adapters.DEFAULT_PARALLEL_SCALE + ".")
    Float adapterScale;
    @Option(names = "--pooling", description = "cls, last or mean (default: cls for BERT, last for GPT).") String pooling;
    @Option(names = "--label-token", defaultValue = "first", description = "Tagging: which token of a word that splits into "
            + "several carries its label and prediction: first (Hugging Face's alignment), last (where its ending is, "
            + "which marks most English part-of-speech tags) or both (on the last, the head reading the first token's "
            + "state beside it: a head twice as wide). Default: ${DEFAULT-VALUE}.")
    String labelToken;
    @Option(names = "--head-rank", defaultValue = "0", description = "Factor the head's weight into two of rank R "
            + "(R x (inputs + labels) weights instead of inputs x labels): room in a parameter budget for adapters or "
            + "LoRA when there are many labels. 0: a full head. Default: ${DEFAULT-VALUE}.") int headRank;
    @Option(names = "--dropout", defaultValue = "0.1", description = "Dropout before the head. Default: ${DEFAULT-VALUE}.") float dropout;

    @Option(names = "--train", description = "Training file (classify: JSONL, tag: CoNLL).") Path trainFile;
    @Option(names = "--valid", description = "Validation file.") Path validFile;
    @Option(names = "--tagset", defaultValue = "full", description = "brown-pos tags: full (normalised Brown) or universal.") String tagset;
    @Option(names = "--passage-words", defaultValue = "128", description = "brown-genre: words per passage. Default: ${DEFAULT-VALUE}.") int passageWords;
    @Option(names = "--max-length", defaultValue = "128", description = "Tokens per input. Default: ${DEFAULT-VALUE}.") int maxLength;
    @Option(names = "--limit-train", description = "Use only the first N training examples (quick runs).") Integer limitTrain;

    @Option(names = "--scratch-layers", defaultValue = "2", description = "--from-scratch: blocks. Default: ${DEFAULT-VALUE}.") int scratchLayers;
    @Option(names = "--scratch-hidden", defaultValue = "128", description = "--from-scratch: width. Default: ${DEFAULT-VALUE}.") int scratchHidden;
    @Option(names = "--scratch-heads", defaultValue = "4", description = "--from-scratch: attention heads. Default: ${DEFAULT-VALUE}.") int scratchHeads;
    @Option(names = "--scratch-words", defaultValue = "20000", description = "Whole words in a from-scratch vocabulary.") int scratchWords;

    @Option(names = "--gradient-checkpointing", description = "Keep only each block's input while training and re-run the "
            + "block in backward: activation memory of one block, for about one more forward pass.")
    boolean gradientCheckpointing;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the training data. Default: ${DEFAULT-VALUE}.") int epochs;
    @Option(names = "--batch-size", defaultValue = "32", description = "Examples per step. Default: ${DEFAULT-VALUE}.") int batchSize;
    @Option(names = "--lr", description = "Peak learning rate. Default: 5e-4 for full and freeze, 2e-3 for lora, 3e-3 for adapter.")
    Float lr;
    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay on matrices (not on biases, norms or embeddings). Default: ${DEFAULT-VALUE}.") float weightDecay;
    @Option(names = "--warmup", defaultValue = "0.06", description = "Warmup share of all steps; the rate then decays linearly to 0. Default: ${DEFAULT-VALUE}.") float warmup;
    @Option(names = "--grad-clip", defaultValue = "1.0", description = "Clip the gradients' global norm to this (0: off). Default: ${DEFAULT-VALUE}.") float gradClip;
    @Option(names = "--eval-every", defaultValue = "0", description = "Evaluate every N steps (0: every epoch).") int evalEvery;
    @Option(names = "--metric", defaultValue = "accuracy", description = "accuracy, macro_f1 or loss: what early stopping and the best checkpoint follow.")
    String metric;
    @Option(names = "--patience", defaultValue = "0", description = "Stop after N evaluations without improvement (0: off).") int patience;
    @Option(names = "--seed", defaultValue = "1337", description = "Seed for the head's and adapters' initialisation, shuffling and dropout. Default: ${DEFAULT-VALUE}.") long seed;
    @Option(names = "--baselines", description = "Also report the baseline on the same split (most-frequent tag / naive Bayes).")
    boolean baselines;

    @Option(names = "--out", required = true, description = "Where the best model, report.txt and confusion.png go.") Path out;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        run(System.out);
        return 0;
    }

    /** The data of a task in one shape: examples as text or words, and the label vocabulary. */
    private record TaskData(boolean tokenTask, List<TextExample> trainText, List<TextExample> validText,
                            List<TaggedSentence> trainTags, List<TaggedSentence> validTags, LabelVocab labels) {}

    void run(PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        Method m = Method.parse(method);
        if (targets != null && m != Method.LORA && m != Method.ADAPTER) {
            throw new IllegalArgumentException("--target names LoRA's modules: it goes with --method lora or adapter, not " + m.cliName());
        }
        boolean withLora = m == Method.LORA || (m == Method.ADAPTER && targets != null);
        Adapters.requireKind(adapterKind);
        if (!adapterKind.equals(Adapters.SEQUENTIAL) || adapterScale != null) {
            if (m != Method.ADAPTER) throw new IllegalArgumentException("--adapter-kind and --adapter-scale go with --method adapter, not " + m.cliName());
            if (adapterScale != null && !adapterKind.equals(Adapters.PARALLEL)) {
                throw new IllegalArgumentException("--adapter-scale scales parallel adapters: add --adapter-kind parallel");
            }
        }
        TaskEncoder.LabelToken wordLabelToken = TaskEncoder.LabelToken.parse(labelToken);
        if (loraPlusRatio != 1f && !withLora) {
            throw new IllegalArgumentException("--loraplus-lr-ratio needs LoRA layers: use --method lora, or adapter with --target");
        }
        if (headRank < 0) throw new IllegalArgumentException("--head-rank must be 0 (a full head) or positive, got " + headRank);
        if ((freezeBlocks > 0 || freezeEmbeddings) && m != Method.FULL) {
            throw new IllegalArgumentException("--freeze-blocks and --freeze-embeddings go with --method full; " + m.cliName()
                    + " already freezes the whole backbone");
        }
        Files.createDirectories(out);   // an --out that cannot be made fails now, not after the data and the base are loaded
        TaskData data = loadData(log);
        if (wordLabelToken != TaskEncoder.LabelToken.FIRST && !data.tokenTask) {
            throw new IllegalArgumentException("--label-token places a word's label for tagging (brown-pos, tag), not for " + task);
        }
        if (baselines) baseline(data, log);
        Rng rng = new Rng(seed);
        Tokenizer tokenizer;
        Backbone backbone;
        String baseName;
        if (source.fromScratch) {
            tokenizer = scratchTokenizer(data);
            BertConfig c = new BertConfig(tokenizer.vocabSize(), scratchHidden, scratchLayers, scratchHeads, 4 * scratchHidden, "gelu",
                    maxLength, 2, 1e-12f, 0.1f, 0.1f, ((WordPiece) tokenizer).padId(), 0.02f);
            backbone = Backbone.of(new Bert(c, rng));
            baseName = "scratch";
        } else {
            var loaded = loadBase(source.base, log);
            backbone = loaded.backbone;
            tokenizer = loaded.tokenizer;
            baseName = source.base.toString();
        }
        backbone.setGradientCheckpointing(gradientCheckpointing);
        int maxLen = Math.min(maxLength, backbone.maxLength());
        TaskEncoder encoder = new TaskEncoder(tokenizer, maxLen, wordLabelToken);
        // LoRA's targets default by backbone; with adapters, LoRA goes only where --target names (e.g. word_embeddings).
        List<String> loraTargets = targets != null ? targets
                : backbone.kind().equals("gpt") ? List.of("c_attn") : List.of("query", "value");
        LoraConfig lora = withLora ? new LoraConfig(loraR, loraAlpha, loraDropout, loraTargets, loraRankPattern, loraAlphaPattern) : null;
        var spec = new FineTunedModel.Spec(data.tokenTask ? "token" : "sequence", backbone.kind(),
                (pooling != null ? pooling : backbone.defaultPooling().name()).toLowerCase(Locale.ROOT), maxLen, m.cliName(), lora,
                m == Method.ADAPTER ? adapterSize : 0, adapterKind, adapterScale != null ? adapterScale : Adapters.DEFAULT_PARALLEL_SCALE, baseName, data.tokenTask,
                wordLabelToken.cliName(), headRank);
        TaskModel model = FineTunedModel.build(backbone, spec, data.labels.size(), dropout, rng);
        Trainable.apply(model, m);
        if (freezeBlocks > 0) Trainable.freezeFirstBlocks(model, freezeBlocks);
        if (freezeEmbeddings) Trainable.freezeEmbeddings(model);
        long trainable = Trainable.count(model), total = model.parameterCount();
        float peakLr = lr != null ? lr : m.defaultLearningRate();
        log.printf(Locale.ROOT, "model: %s backbone, %d blocks, %d wide, %s head over %d labels%s; method %s: %,d of %,d parameters train (%.2f%%), lr %.1e%s; %d threads%s%n",
                backbone.kind(), backbone.numBlocks(), backbone.hiddenSize(), spec.task(), data.labels.size(),
                headRank > 0 ? " (rank " + headRank + ")" : "", m.cliName(),
                trainable, total, 100.0 * trainable / total, peakLr,
                loraPlusRatio != 1f ? String.format(Locale.ROOT, " (LoRA B matrices x%.0f)", loraPlusRatio) : "", Parallel.threads(), gradientCheckpointing ? "; gradient checkpointing" : "");

        List<TaskEncoder.Encoded> train = new ArrayList<>(), valid = new ArrayList<>();
        if (data.tokenTask) {
            for (TaggedSentence s : data.trainTags) train.addAll(encoder.taggedWindows(s, data.labels));
            for (TaggedSentence s : data.validTags) valid.addAll(encoder.taggedWindows(s, data.labels));
        } else {
            for (TextExample e : data.trainText) train.add(encoder.sequence(e, data.labels));
            for (TextExample e : data.validText) valid.add(encoder.sequence(e, data.labels));
        }
        log.printf(Locale.ROOT, "data: %,d training and %,d validation examples, encoded in %.1f s%n", train.size(), valid.size(), (System.nanoTime() - t0) / 1e9);

        var config = new Finetuner.Config(epochs, batchSize, peakLr, weightDecay, layerDecay, loraPlusRatio, warmup, gradClip, evalEvery, metric, patience, seed);
        Finetuner<TaskEncoder.Encoded> finetuner = new Finetuner<>(model, data.labels.names(), config,
                batch -> encoder.collate(batch, data.tokenTask), e -> e.ids().length, log);
        FineTunedModel saved = new FineTunedModel(model, tokenizer, data.labels, spec);
        Path modelDir = out.resolve("model");
        var result = finetuner.fit(train, valid, r -> saved.save(modelDir));
        ConfusionMatrix cm = result.best().matrix();
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "task %s, method %s, base %s%ntrainable parameters %,d of %,d (%.2f%%)%n",
                task, m.cliName(), baseName, trainable, total, 100.0 * trainable / total));
        report.append(String.format(Locale.ROOT, "best at step %d of %d%s, %.1f s training%n", result.bestStep(), result.steps(),
                result.stoppedEarly() ? " (stopped early)" : "", result.seconds()));
        report.append(String.format(Locale.ROOT, "held-out: loss %.4f, accuracy %.4f, macro-F1 %.4f, micro-F1 %.4f%n%n",
                result.best().loss(), cm.accuracy(), cm.macroF1(), cm.micro()[2]));
        report.append(cm.report());
        if (cm.labels().size() <= 20) report.append('\n').append(cm.table());
        Files.writeString(out.resolve("report.txt"), report.toString());
        ConfusionMatrixPlot.write(out.resolve("confusion.png"), cm, task + " (" + m.cliName() + ")");
        log.print(report);
        log.printf(Locale.ROOT, "saved: %s (model), %s, %s; total %.1f s%n", modelDir, out.resolve("report.txt"), out.resolve("confusion.png"),
                (System.nanoTime() - t0) / 1e9);
    }

    private TaskData loadData(PrintStream log) throws IOException {
        switch (task) {
            case "brown-pos" -> {
                TaggingData d = BrownPos.load(BrownCorpus.load(DataPaths.system().brownDir()), BrownTags.TagSet.parse(tagset));
                log.printf("data: Brown POS (%s tags, %d labels), split by document%n", tagset, d.labels().size());
                return new TaskData(true, null, null, limit(d.train()), d.valid(), d.labels());
            }
            case "brown-genre" -> {
                ClassificationData d = BrownGenre.load(BrownCorpus.load(DataPaths.system().brownDir()), passageWords);
                log.printf("data: Brown genre, passages of <= %d words, %d genres, split by document%n", passageWords, d.labels().size());
                return new TaskData(false, limit(d.train()), d.valid(), null, null, d.labels());
            }
            case "classify" -> {
                ClassificationData d = JsonlClassification.load(require(trainFile, "--train"), require(validFile, "--valid"));
                return new TaskData(false, limit(d.train()), d.valid(), null, null, d.labels());
            }
            case "tag" -> {
                TaggingData d = ConllTagging.defaults().load(require(trainFile, "--train"), require(validFile, "--valid"));
                return new TaskData(true, null, null, limit(d.train()), d.valid(), d.labels());
            }
            default -> throw new IllegalArgumentException("--task must be brown-pos, brown-genre, classify or tag, got '" + task + "'");
        }
    }

    private <T> List<T> limit(List<T> list) {
        return limitTrain == null || limitTrain >= list.size() ? list : list.subList(0, limitTrain);
    }

    private static Path require(Path p, String option) {
        if (p == null) throw new IllegalArgumentException("this task needs " + option + " FILE");
        return p;
    }

    private WordPiece scratchTokenizer(TaskData data) {
        List<String> words = new ArrayList<>();
        if (data.tokenTask) for (TaggedSentence s : data.trainTags) words.addAll(s.words());
        else for (TextExample e : data.trainText) words.add(e.text());
        return WordPieceVocabBuilder.build(words, WordPieceConfig.cased(), scratchWords, 2, 500);
    }

    private record Base(Backbone backbone, Tokenizer tokenizer) {}

    private static Base loadBase(Path dir, PrintStream log) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "--base is not a directory (a Hugging Face BERT or GPT-2 directory, a ZeroLM checkpoint or a fine-tuned model)");
        }
        if (Files.isRegularFile(dir.resolve(FineTunedModel.SPEC_FILE))) {
            FineTunedModel ft = FineTunedModel.load(dir);
            if (ft.spec().lora() != null || ft.spec().adapterSize() > 0) {
                throw new IOException(dir + ": a model fine-tuned with " + ft.spec().method() + " carries adapters; use a full or freeze model as a base");
            }
            log.println("base: the " + ft.spec().backbone() + " backbone of fine-tuned model " + dir + " (its head is dropped)");
            return new Base(ft.model().backbone(), ft.tokenizer());
        }
        Path config = dir.resolve("config.json");
        String type = Files.isRegularFile(config) ? JSON.readTree(config.toFile()).path("model_type").asText("") : "";
        if (type.equals("bert")) {
            log.println("base: Hugging Face BERT " + dir);
            return new Base(Backbone.of(Bert.fromPretrained(dir)), Tokenizer.load(dir));
        }
        if (!type.isEmpty()) {
            HfModel hf = HfModel.load(dir);
            if (!(hf.model() instanceof GPT gpt)) throw new IOException(dir + ": model_type '" + type + "' cannot be fine-tuned here (bert or gpt2)");
            log.println("base: Hugging Face GPT-2 " + dir);
            return new Base(Backbone.of(gpt), hf.requireTokenizer());
        }
        Path ckpt = Files.isDirectory(dir.resolve("checkpoint")) ? dir.resolve("checkpoint") : dir;
        log.println("base: ZeroLM GPT checkpoint " + ckpt);
        return new Base(Backbone.of(Checkpoint.loadModel(ckpt)), Checkpoint.loadTokenizer(ckpt));
    }

    private static void baseline(TaskData d, PrintStream log) {
        long t0 = System.nanoTime();
        if (d.tokenTask) {
            var b = new MostFrequentTagBaseline(d.trainTags);
            var a = b.evaluate(d.validTags);
            log.printf(Locale.ROOT, "baseline most-frequent-tag: accuracy %.4f (%d of %d), unseen words %.4f (%d) [%.1f s]%n",
                    a.accuracy(), a.correct(), a.total(), a.unknownAccuracy(), a.unknownTotal(), (System.nanoTime() - t0) / 1e9);
        } else {
            ConfusionMatrix cm = NaiveBayes.evaluate(d.trainText, d.validText, d.labels);
            log.printf(Locale.ROOT, "baseline naive Bayes (bag of words): accuracy %.4f, macro-F1 %.4f [%.1f s]%n%s",
                    cm.accuracy(), cm.macroF1(), (System.nanoTime() - t0) / 1e9, cm.report());
        }
    }
}
