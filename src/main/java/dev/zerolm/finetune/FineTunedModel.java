package dev.zerolm.finetune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.zerolm.data.LabelVocab;
import dev.zerolm.io.AtomicFiles;
import dev.zerolm.io.StateDicts;
import dev.zerolm.models.Bert;
import dev.zerolm.models.BertConfig;
import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fine-tuned model directory that {@code zerolm predict} reloads:
 * <pre>
 *   finetune_config.json   {@link Spec}: task kind, backbone kind, pooling, method, LoRA/adapter settings
 *   backbone_config.json   the backbone's shape (GPTConfig, or BERT's Hugging Face config.json fields)
 *   model.safetensors      every tensor of the task model (backbone.*, classifier.*, LoRA and adapters unmerged)
 *   labels.json            label names by id
 *   zerolm_tokenizer.json  + the tokenizer's own files
 *   adapter/               with LoRA (and no bottleneck adapters): the adapter alone in PEFT's layout ({@link PeftAdapter})
 * </pre>
 * Saving writes DIR.tmp and then swaps it in, so a kill never leaves a half-written model.
 */
public record FineTunedModel(TaskModel model, Tokenizer tokenizer, LabelVocab labels, Spec spec) {

    public static final String SPEC_FILE = "finetune_config.json";
    public static final String BACKBONE_CONFIG = "backbone_config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String LABELS_FILE = "labels.json";
    public static final String ADAPTER_DIR = "adapter";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What rebuilds the model around its weights.
     *
     * @param task         "sequence" or "token"
     * @param backbone     "gpt" or "bert"
     * @param pooling      sequence pooling (cls, last, mean); ignored for token tasks
     * @param maxLength    tokens per input, [CLS]/[SEP] included
     * @param method       full, freeze, lora or adapter
     * @param lora         LoRA settings, or null
     * @param adapterSize  bottleneck size of adapters, 0 for none
     * @param adapterKind  "sequential" (after each sublayer, Houlsby) or "parallel" (beside it); null (older models) reads as sequential
     * @param adapterScale what a parallel adapter's output is multiplied by
     * @param base         where the pretrained weights came from ("scratch" when none)
     * @param inputWords   true when inputs are split into words (tagging): predict splits text on whitespace
     * @param labelToken   tagging: "first", "last" or "both", the token of each word its label sits on and its
     *                     prediction is read at, and whether the head also reads the word's first token
     *                     ({@link TaskEncoder.LabelToken}); null (older models) reads as first
     * @param headRank     r of a factored head ({@link TaskModel}), 0 (and absent in older models) for a full one
     */
    public record Spec(String task, String backbone, String pooling, int maxLength, String method, LoraConfig lora,
                       int adapterSize, String adapterKind, float adapterScale, String base, boolean inputWords,
                       String labelToken, int headRank) {
        public Spec {
            adapterKind = Adapters.requireKind(adapterKind == null ? Adapters.SEQUENTIAL : adapterKind);
            labelToken = TaskEncoder.LabelToken.parse(labelToken == null ? "first" : labelToken).cliName();  // saved before: first
        }
    }

    /** Writes the directory atomically. */
    public void save(Path dir) throws IOException {
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp"), old = dir.resolveSibling(dir.getFileName() + ".old");
        deleteRecursively(tmp);
        Files.createDirectories(tmp);
        AtomicFiles.writeString(tmp.resolve(SPEC_FILE), JSON.writeValueAsString(spec));
        switch (model.backbone()) {
            case Backbone.GptBackbone g -> AtomicFiles.writeString(tmp.resolve(BACKBONE_CONFIG), JSON.writeValueAsString(g.gpt().config()));
            case Backbone.BertBackbone b -> b.bert().config().writeJson(tmp.resolve(BACKBONE_CONFIG));
        }
        Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
        StateDicts.save(tmp.resolve(WEIGHTS_FILE), state, Map.of("framework", "zerolm"));
        labels.save(tmp.resolve(LABELS_FILE));
        tokenizer.save(tmp);
        if (spec.lora() != null && spec.adapterSize() == 0) peftAdapter().save(tmp.resolve(ADAPTER_DIR));
        deleteRecursively(old);
        if (Files.exists(dir)) Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(old);
    }

    /** The LoRA layers and the head in PEFT's layout (task type SEQ_CLS or TOKEN_CLS). */
    public PeftAdapter peftAdapter() {
        if (spec.lora() == null) throw new IllegalStateException("fine-tuned model: method " + spec.method() + " has no LoRA adapter");
        if (spec.adapterSize() > 0) {
            throw new IllegalStateException("fine-tuned model: LoRA here sits beside bottleneck adapters, which PEFT's LoRA layout cannot hold");
        }
        Map<String, LoraLayer> layers = Lora.find(model.backbone().module());
        Map<String, Tensor> head = new LinkedHashMap<>();
        head.put("classifier.weight", model.classifierWeight());    // a factored head goes out as its product
        head.put("classifier.bias", model.classifier().bias());
        return PeftAdapter.of(layers, spec.lora(), spec.base(), spec.task().equals("token") ? "TOKEN_CLS" : "SEQ_CLS", head);
    }

    /** Rebuilds a model saved by {@link #save}, in eval mode. */
    public static FineTunedModel load(Path dir) throws IOException {
        Path specFile = dir.resolve(SPEC_FILE);
        if (!Files.isRegularFile(specFile)) {
            Path old = dir.resolveSibling(dir.getFileName() + ".old");
            if (Files.isRegularFile(old.resolve(SPEC_FILE))) return load(old);
            throw new NoSuchFileException(dir.toString(), null, "not a fine-tuned model (no " + SPEC_FILE + "); make one with `zerolm finetune --out DIR`");
        }
        Spec spec = JSON.readValue(specFile.toFile(), Spec.class);
        Backbone backbone = switch (spec.backbone()) {
            case "gpt" -> Backbone.of(new GPT(JSON.readValue(dir.resolve(BACKBONE_CONFIG).toFile(), GPTConfig.class), new Rng(0)));
            case "bert" -> Backbone.of(new Bert(BertConfig.fromJson(dir.resolve(BACKBONE_CONFIG)), new Rng(0)));
            default -> throw new IOException(specFile + ": unknown backbone '" + spec.backbone() + "' (gpt or bert)");
        };
        LabelVocab labels = LabelVocab.load(dir.resolve(LABELS_FILE));
        TaskModel model = build(backbone, spec, labels.size(), 0f, new Rng(0));
        model.loadStateDict(StateDicts.load(dir.resolve(WEIGHTS_FILE)), true);
        model.eval();
        return new FineTunedModel(model, Tokenizer.load(dir), labels, spec);
    }

    /** A task model for the spec around backbone, with its LoRA or adapters injected (but nothing frozen yet). */
    public static TaskModel build(Backbone backbone, Spec spec, int numLabels, float dropout, Rng rng) {
        TaskModel model = spec.task().equals("token")
                ? new TokenClassifier(backbone, numLabels, TaskEncoder.LabelToken.parse(spec.labelToken()) == TaskEncoder.LabelToken.BOTH, spec.headRank(), dropout, rng)
                : new SequenceClassifier(backbone, numLabels, Pooling.parse(spec.pooling()), spec.headRank(), dropout, rng);
        if (spec.lora() != null) Lora.inject(backbone.module(), spec.lora(), rng);
        if (spec.adapterSize() > 0) Adapters.inject(backbone, spec.adapterSize(), spec.adapterKind(), spec.adapterScale(), rng);
        return model;
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    /** Labels of the given names, for tests and callers that have no {@link LabelVocab} at hand. */
    static LabelVocab vocab(List<String> names) {
        return LabelVocab.ofNames(names);
    }
}
