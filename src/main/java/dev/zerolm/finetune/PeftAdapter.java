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
 *   adapter_model.safetensors    base_model.model.&lt;module&gt;.lora_A.weight  (r, in)
 *                                base_model.model.&lt;module&gt;.lora_B.weight  (out, r)
 *                                base_model.model.&lt;module&gt;.weight / .bias   (modules_to_save, e.g. the head)
 * </pre>
 * Module paths are relative to the backbone ({@code bert.encoder.layer.0.attention.self.query}), and the head is
 * saved as {@code classifier}, as in Hugging Face's BertForSequenceClassification. fan_in_fan_out is false: our
 * linear weights are (out, in) like torch.nn.Linear (GPT-2's Conv1D in Hugging Face would need true).
 *
 * @param config         r, alpha, dropout and targets
 * @param baseModel      base_model_name_or_path: the directory or name of the model the adapter was trained on
 * @param taskType       task_type: SEQ_CLS, TOKEN_CLS, CAUSAL_LM, ...
 * @param loraWeights    per adapted module path: its A (r, in) and B (out, r)
 * @param modulesToSave  fully trained extra tensors by their full name (e.g. {@code classifier.weight})
 */
public record PeftAdapter(LoraConfig config, String baseModel, String taskType, Map<String, Tensor[]> loraWeights,
                          Map<String, Tensor> modulesToSave) {

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    public static final String PREFIX = "base_model.model.";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The adapter of injected layers (by path) plus the extra tensors to save, e.g. the head's. */
    public static PeftAdapter of(Map<String, LoraLinear> layers, LoraConfig config, String baseModel, String taskType,
                                 Map<String, Tensor> modulesToSave) {
        Map<String, Tensor[]> weights = new LinkedHashMap<>();
        for (var e : layers.entrySet()) weights.put(e.getKey(), new Tensor[] {e.getValue().loraA(), e.getValue().loraB()});
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
        ArrayNode targets = c.putArray("target_modules");
        config.targetModules().forEach(targets::add);
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        ArrayNode save = c.putArray("modules_to_save");
        modulesToSave.keySet().stream().map(PeftAdapter::moduleOf).distinct().forEach(save::add);
        AtomicFiles.writeString(dir.resolve(CONFIG_FILE), JSON.writeValueAsString(c));

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : loraWeights.entrySet()) {
            tensors.put(PREFIX + e.getKey() + ".lora_A.weight", e.getValue()[0]);
            tensors.put(PREFIX + e.getKey() + ".lora_B.weight", e.getValue()[1]);
        }
        for (var e : modulesToSave.entrySet()) tensors.put(PREFIX + e.getKey(), e.getValue());
        StateDicts.save(dir.resolve(WEIGHTS_FILE), tensors, Map.of("format", "pt"));
    }

    /** Reads an adapter directory; every key must be a lora_A/lora_B pair of matching rank or a modules_to_save tensor. */
    public static PeftAdapter load(Path dir) throws IOException {
        Path configFile = dir.resolve(CONFIG_FILE), weightsFile = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(configFile)) throw new NoSuchFileException(configFile + ": not a PEFT adapter directory (no " + CONFIG_FILE + ")");
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
        LoraConfig config = new LoraConfig(c.path("r").asInt(), (float) c.path("lora_alpha").asDouble(),
                (float) c.path("lora_dropout").asDouble(0), targets);

        Map<String, Tensor> raw = StateDicts.load(weightsFile);
        Map<String, Tensor[]> lora = new LinkedHashMap<>();
        Map<String, Tensor> extra = new LinkedHashMap<>();
        for (var e : raw.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX)) throw new IOException(weightsFile + ": tensor '" + key + "' does not start with '" + PREFIX + "'");
            String name = key.substring(PREFIX.length());
            if (name.endsWith(".lora_A.weight")) {
                lora.computeIfAbsent(name.substring(0, name.length() - ".lora_A.weight".length()), k -> new Tensor[2])[0] = e.getValue();
            } else if (name.endsWith(".lora_B.weight")) {
                lora.computeIfAbsent(name.substring(0, name.length() - ".lora_B.weight".length()), k -> new Tensor[2])[1] = e.getValue();
            } else {
                extra.put(name, e.getValue());
            }
        }
        for (var e : lora.entrySet()) {
            Tensor a = e.getValue()[0], b = e.getValue()[1];
            if (a == null || b == null) {
                throw new IOException(weightsFile + ": module '" + e.getKey() + "' has only lora_" + (a == null ? "B" : "A"));
            }
            if (a.rank() != 2 || b.rank() != 2 || a.size(0) != config.r() || b.size(1) != config.r()) {
                throw new IOException(weightsFile + ": module '" + e.getKey() + "' has lora_A " + Shapes.str(a.shape()) + " and lora_B "
                        + Shapes.str(b.shape()) + ", expected (r, in) and (out, r) with r = " + config.r());
            }
        }
        return new PeftAdapter(config, c.path("base_model_name_or_path").asText(""), c.path("task_type").asText(""), lora, extra);
    }

    /** Copies this adapter's A and B into injected layers with the same paths (both sets must match exactly). */
    public void copyInto(Map<String, LoraLinear> layers) {
        if (!layers.keySet().equals(loraWeights.keySet())) {
            throw new IllegalArgumentException("PEFT adapter: it adapts " + loraWeights.keySet() + " but the model has LoRA on " + layers.keySet());
        }
        for (var e : layers.entrySet()) {
            Tensor[] w = loraWeights.get(e.getKey());
            copy(e.getKey() + ".lora_A.weight", w[0], e.getValue().loraA());
            copy(e.getKey() + ".lora_B.weight", w[1], e.getValue().loraB());
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
