package dev.zerolm.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.io.AtomicFiles;
import dev.zerolm.io.StateDicts;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A LoRA adapter on disk in Hugging Face PEFT's layout, so either tool can read the other's:
 * <pre>
 *   adapter_config.json          peft_type LORA, r, lora_alpha, lora_dropout, target_modules, ...
 *   adapter_model.safetensors    base_model.model.&lt;module&gt;.lora_A.weight  (r, in)     a linear layer
 *                                base_model.model.&lt;module&gt;.lora_B.weight  (out, r)
 *                                base_model.model.&lt;module&gt;.lora_embedding_A (r, V)   an embedding table
 *                                base_model.model.&lt;module&gt;.lora_embedding_B (D, r)
 *                                base_model.model.&lt;module&gt;.weight / .bias   (modules_to_save, e.g. the head)
 * </pre>
 * Module paths are relative to the backbone ({@code bert.encoder.layer.0.attention.self.query}), and the head is
 * saved as {@code classifier}, as in Hugging Face's BertForSequenceClassification. fan_in_fan_out is false: our
 * linear weights are (out, in) like torch.nn.Linear (GPT-2's Conv1D in Hugging Face would need true).
 *
 * @param config         r, alpha, dropout and targets
 * @param baseModel      base_model_name_or_path: the directory or name of the model the adapter was trained on
 * @param taskType       task_type: SEQ_CLS, TOKEN_CLS, CAUSAL_LM, ...
 * @param loraWeights    per adapted module path: its A (r, in) and B (out, r), PEFT's key suffixes for them
 * @param modulesToSave  fully trained extra tensors by their full name (e.g. {@code classifier.weight})
 */
public record PeftAdapter(LoraConfig config, String baseModel, String taskType, Map<String, Pair> loraWeights,
                          Map<String, Tensor> modulesToSave) {

    /** One module's A and B with the key suffixes they are saved under ({@code lora_A.weight} or {@code lora_embedding_A}). */
    public record Pair(Tensor a, Tensor b, String keyA, String keyB) {}

    private static final List<String[]> KEY_SUFFIXES = List.of(
            new String[] {LoraLinear.KEY_A, LoraLinear.KEY_B}, new String[] {LoraEmbedding.KEY_A, LoraEmbedding.KEY_B});

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    public static final String PREFIX = "base_model.model.";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The adapter of injected layers (by path) plus the extra tensors to save, e.g. the head's. */
    public static PeftAdapter of(Map<String, ? extends LoraLayer> layers, LoraConfig config, String baseModel, String taskType,
                                 Map<String, Tensor> modulesToSave) {
        Map<String, Pair> weights = new LinkedHashMap<>();
        for (var e : layers.entrySet()) {
            LoraLayer l = e.getValue();
            weights.put(e.getKey(), new Pair(l.loraA(), l.loraB(), l.keyA(), l.keyB()));
        }
        return new PeftAdapter(config, baseModel, taskType, weights, modulesToSave);
    }

    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", taskType);
        c.put("base_model_name_or_path", baseModel);
        c.put("r", config.r());
        c.put("lora_alpha", decimal(config.alpha()));
        c.put("lora_dropout", decimal(config.dropout()));
        List<String> targetModules = config.targetModules();
        if (targetModules.equals(List.of(LoraConfig.ALL_LINEAR))) {
            c.put("target_modules", LoraConfig.ALL_LINEAR);   // PEFT reads all-linear only as the whole string, not in a list
        } else {
            // In a list PEFT takes "all-linear" for a module name that matches nothing: name every adapted module instead.
            if (targetModules.contains(LoraConfig.ALL_LINEAR)) targetModules = List.copyOf(loraWeights.keySet());
            ArrayNode targets = c.putArray("target_modules");
            targetModules.forEach(targets::add);
        }
        ObjectNode ranks = c.putObject("rank_pattern"), alphas = c.putObject("alpha_pattern");
        config.rankPattern().forEach(ranks::put);
        config.alphaPattern().forEach((k, v) -> alphas.put(k, decimal(v)));
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        ArrayNode save = c.putArray("modules_to_save");
        modulesToSave.keySet().stream().map(PeftAdapter::moduleOf).distinct().forEach(save::add);
        AtomicFiles.writeString(dir.resolve(CONFIG_FILE), JSON.writeValueAsString(c));

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : loraWeights.entrySet()) {
            Pair w = e.getValue();
            tensors.put(PREFIX + e.getKey() + "." + w.keyA(), w.a());
            tensors.put(PREFIX + e.getKey() + "." + w.keyB(), w.b());
        }
        for (var e : modulesToSave.entrySet()) tensors.put(PREFIX + e.getKey(), e.getValue());
        StateDicts.save(dir.resolve(WEIGHTS_FILE), tensors, Map.of("format", "pt"));
    }

    /** Reads an adapter directory; every key must be a lora_A/lora_B pair of matching rank or a modules_to_save tensor. */
    public static PeftAdapter load(Path dir) throws IOException {
        Path configFile = dir.resolve(CONFIG_FILE), weightsFile = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(configFile)) throw new NoSuchFileException(configFile.toString(), null, "not a PEFT adapter directory (no " + CONFIG_FILE + ")");
        JsonNode c = JSON.readTree(configFile.toFile());
        if (!"LORA".equals(c.path("peft_type").asText())) {
            throw new IOException(configFile + ": peft_type is '" + c.path("peft_type").asText() + "', only LORA is supported");
        }
        if (c.path("fan_in_fan_out").asBoolean(false)) {
            throw new IOException(configFile + ": fan_in_fan_out true (GPT-2 Conv1D layout) is not supported; our linear weights are (out, in)");
        }
        List<String> targets = new ArrayList<>();
        JsonNode t = c.path("target_modules");
        if (t.isTextual()) targets.add(t.asText());
        else t.forEach(n -> targets.add(n.asText()));
        Map<String, Integer> rankPattern = new LinkedHashMap<>();
        c.path("rank_pattern").properties().forEach(e -> rankPattern.put(e.getKey(), e.getValue().asInt()));
        Map<String, Float> alphaPattern = new LinkedHashMap<>();
        c.path("alpha_pattern").properties().forEach(e -> alphaPattern.put(e.getKey(), (float) e.getValue().asDouble()));
        LoraConfig config = new LoraConfig(c.path("r").asInt(), (float) c.path("lora_alpha").asDouble(),
                (float) c.path("lora_dropout").asDouble(0), targets, rankPattern, alphaPattern);

        Map<String, Tensor> raw = StateDicts.load(weightsFile);
        Map<String, Tensor[]> found = new LinkedHashMap<>();   // module path -> {A, B}
        Map<String, String[]> suffixes = new LinkedHashMap<>();
        Map<String, Tensor> extra = new LinkedHashMap<>();
        for (var e : raw.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX)) throw new IOException(weightsFile + ": tensor '" + key + "' does not start with '" + PREFIX + "'");
            String name = key.substring(PREFIX.length());
            boolean lora = false;
            for (String[] pair : KEY_SUFFIXES) {
                for (int i = 0; i < 2; i++) {
                    if (!name.endsWith("." + pair[i])) continue;
                    String module = name.substring(0, name.length() - pair[i].length() - 1);
                    found.computeIfAbsent(module, k -> new Tensor[2])[i] = e.getValue();
                    suffixes.put(module, pair);
                    lora = true;
                }
            }
            if (!lora) extra.put(name, e.getValue());
        }
        Map<String, Pair> lora = new LinkedHashMap<>();
        for (var e : found.entrySet()) {
            Tensor a = e.getValue()[0], b = e.getValue()[1];
            String[] keys = suffixes.get(e.getKey());
            if (a == null || b == null) {
                throw new IOException(weightsFile + ": module '" + e.getKey() + "' has only " + (a == null ? keys[1] : keys[0]));
            }
            int r = config.rankFor(e.getKey());
            if (a.rank() != 2 || b.rank() != 2 || a.size(0) != r || b.size(1) != r) {
                throw new IOException(weightsFile + ": module '" + e.getKey() + "' has " + keys[0] + " " + Shapes.str(a.shape()) + " and "
                        + keys[1] + " " + Shapes.str(b.shape()) + ", expected (r, in) and (out, r) with r = " + r
                        + (r != config.r() ? " (rank_pattern)" : ""));
            }
            lora.put(e.getKey(), new Pair(a, b, keys[0], keys[1]));
        }
        return new PeftAdapter(config, c.path("base_model_name_or_path").asText(""), c.path("task_type").asText(""), lora, extra);
    }

    /** Copies this adapter's A and B into injected layers with the same paths (both sets must match exactly). */
    public void copyInto(Map<String, ? extends LoraLayer> layers) {
        if (!layers.keySet().equals(loraWeights.keySet())) {
            throw new IllegalArgumentException("PEFT adapter: it adapts " + loraWeights.keySet() + " but the model has LoRA on " + layers.keySet());
        }
        for (var e : layers.entrySet()) {
            Pair w = loraWeights.get(e.getKey());
            LoraLayer l = e.getValue();
            if (!w.keyA().equals(l.keyA())) {
                throw new IllegalArgumentException("PEFT adapter: '" + e.getKey() + "' holds " + w.keyA() + " but the model's layer takes " + l.keyA());
            }
            copy(e.getKey() + "." + w.keyA(), w.a(), l.loraA());
            copy(e.getKey() + "." + w.keyB(), w.b(), l.loraB());
        }
    }

    private static void copy(String name, Tensor src, Tensor dst) {
        if (!java.util.Arrays.equals(src.shape(), dst.shape())) {
            throw new IllegalArgumentException("PEFT adapter: '" + name + "' has shape " + Shapes.str(src.shape())
                    + " but the model's is " + Shapes.str(dst.shape()));
        }
        try (var ignored = dev.zerolm.autograd.GradMode.noGrad()) {
            dst.copyFrom(src);
        }
    }

    private static String moduleOf(String tensorName) {
        int dot = tensorName.lastIndexOf('.');
        return dot < 0 ? tensorName : tensorName.substring(0, dot);
    }

    /** A float as the decimal it was written as (16f -> 16.0, 0.05f -> 0.05), as Python writes it. */
    private static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }
}
