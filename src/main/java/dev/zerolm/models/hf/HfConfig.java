package dev.zerolm.models.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A Hugging Face model directory's config.json, read field by field with errors that name the file, the field
 * and what was found, e.g. "tiny/config.json: 'n_embd' must be an integer, got "24.5"".
 */
public final class HfConfig {

    public static final String FILE = "config.json";

    private final Path file;
    private final JsonNode root;

    private HfConfig(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    /** Reads dir/config.json. */
    public static HfConfig read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, Files.exists(dir)
                    ? "not a directory; a Hugging Face model is a directory with " + FILE + " and the weights"
                    : "no such directory");
        }
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null,
                    "not a Hugging Face model directory: it has no " + FILE + " next to the weights");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IOException(file + ": expected a JSON object");
        return new HfConfig(file, root);
    }

    public Path file() {
        return file;
    }

    /** The architecture family ("gpt2", "llama", ...): model_type. */
    public String modelType() throws IOException {
        String type = root.path("model_type").asText("");
        if (type.isEmpty()) throw new IOException(file + ": has no 'model_type', so the architecture is unknown");
        return type;
    }

    /** The first of "architectures" (e.g. "LlamaForCausalLM"), or "" when absent. */
    public String architecture() {
        return root.path("architectures").path(0).asText("");
    }

    public boolean has(String key) {
        return root.hasNonNull(key);
    }

    /** An integer field that must be present. */
    public int requireInt(String key) throws IOException {
        if (!has(key)) throw new IOException(file + ": '" + key + "' is missing");
        return intValue(key);
    }

    /** An integer field, or dflt when absent or null. */
    public int intOr(String key, int dflt) throws IOException {
        return has(key) ? intValue(key) : dflt;
    }

    public double doubleOr(String key, double dflt) throws IOException {
        if (!has(key)) return dflt;
        JsonNode v = root.get(key);
        if (!v.isNumber()) throw new IOException(file + ": '" + key + "' must be a number, got " + v);
        return v.asDouble();
    }

    public boolean booleanOr(String key, boolean dflt) throws IOException {
        if (!has(key)) return dflt;
        JsonNode v = root.get(key);
        if (!v.isBoolean()) throw new IOException(file + ": '" + key + "' must be true or false, got " + v);
        return v.asBoolean();
    }

    public String stringOr(String key, String dflt) {
        return has(key) ? root.get(key).asText() : dflt;
    }

    /** The raw field (a missing node when absent). */
    public JsonNode get(String key) {
        return root.path(key);
    }

    private int intValue(String key) throws IOException {
        JsonNode v = root.get(key);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IOException(file + ": '" + key + "' must be an integer, got " + v);
        }
        return v.asInt();
    }
}
