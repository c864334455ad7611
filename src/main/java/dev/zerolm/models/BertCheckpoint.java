package dev.zerolm.models;

import dev.zerolm.io.NoSuchTensorException;
import dev.zerolm.io.Safetensors;
import dev.zerolm.io.StateDicts;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hugging Face BERT checkpoints in and out: a directory with config.json and model.safetensors (or a sharded
 * model.safetensors.index.json), F32, F16 or BF16. Reads the names of BertForMaskedLM / BertForPreTraining
 * ({@code bert.} prefix) and of a bare BertModel (no prefix), and old TensorFlow-converted LayerNorms named
 * gamma/beta. The pooler and the MLM head may be absent; they then keep a fresh initialisation and are listed.
 */
public final class BertCheckpoint {

    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";

    /** Seed of the initialisation that tensors absent from a checkpoint keep. */
    static final long INIT_SEED = 0;

    private BertCheckpoint() {}

    /**
     * A model read from a checkpoint, with what the checkpoint did not cover.
     *
     * @param freshlyInitialised the model's tensors the checkpoint lacked (only the pooler and MLM head may be)
     * @param unused             the checkpoint's tensors the model has no use for (e.g. the next-sentence head)
     */
    public record Loaded(Bert model, List<String> freshlyInitialised, List<String> unused) {}

    /**
     * Reads config.json and the weights. Errors name the file and the tensor: a missing encoder or embedding
     * tensor, or a tensor whose shape differs from what config.json implies.
     */
    public static Loaded load(Path dir) throws IOException {
        Path configFile = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(configFile)) throw new IOException(dir + ": no " + CONFIG_FILE);
        BertConfig config = BertConfig.fromJson(configFile);
        Bert model = new Bert(config, new Rng(INIT_SEED));
        Map<String, Tensor> values = new LinkedHashMap<>();
        List<String> fresh = new ArrayList<>();
        Set<String> used = new HashSet<>();
        try (Safetensors st = Safetensors.open(dir)) {
            Path source = sourceOf(st, dir);
            String prefix = st.contains("bert.embeddings.word_embeddings.weight") ? "bert."
                    : st.contains("embeddings.word_embeddings.weight") ? "" : null;
            if (prefix == null) throw new NoSuchTensorException(source, "bert.embeddings.word_embeddings.weight", st.names());
            for (var e : model.stateDict().entrySet()) {
                String name = e.getKey();
                String found = firstPresent(st, candidates(name, prefix));
                if (found == null) {
                    if (name.startsWith("bert.pooler.") || name.startsWith("cls.")) {
                        fresh.add(name);
                        continue;
                    }
                    throw new NoSuchTensorException(source, candidates(name, prefix).getFirst(), st.names());
                }
                int[] expected = e.getValue().shape();
                int[] shape = Arrays.stream(st.info(found).shape()).mapToInt(Math::toIntExact).toArray();
                if (!Arrays.equals(shape, expected)) {
                    throw new IllegalArgumentException(st.fileOf(found) + ": tensor '" + found + "' has shape "
                            + Arrays.toString(shape) + ", but " + configFile + " (vocab_size " + config.vocabSize()
                            + ", hidden_size " + config.hiddenSize() + ", intermediate_size " + config.intermediateSize()
                            + ", max_position_embeddings " + config.maxPositionEmbeddings() + ", type_vocab_size "
                            + config.typeVocabSize() + ") makes '" + name + "' " + Arrays.toString(expected));
                }
                values.put(name, Tensor.of(st.readFloats(found), shape));
                used.add(found);
            }
            List<String> unused = new ArrayList<>();
            for (String n : st.names()) if (!used.contains(n)) unused.add(n);
            model.loadStateDict(values, false);
            return new Loaded(model, List.copyOf(fresh), List.copyOf(unused));
        }
    }

    /** The names a checkpoint may use for one of our tensors, preferred first. */
    private static List<String> candidates(String name, String prefix) {
        String stored = name.startsWith("bert.") ? prefix + name.substring("bert.".length()) : name;
        List<String> out = new ArrayList<>(List.of(stored));
        if (stored.endsWith("LayerNorm.weight")) out.add(stored.substring(0, stored.length() - "weight".length()) + "gamma");
        if (stored.endsWith("LayerNorm.bias")) out.add(stored.substring(0, stored.length() - "bias".length()) + "beta");
        if (stored.equals("cls.predictions.bias")) out.add("cls.predictions.decoder.bias");
        return out;
    }

    private static String firstPresent(Safetensors st, List<String> names) {
        for (String n : names) if (st.contains(n)) return n;
        return null;
    }

    /** The weights file, or the directory when the checkpoint is sharded over several. */
    private static Path sourceOf(Safetensors st, Path dir) {
        Set<Path> files = new HashSet<>();
        for (String n : st.names()) files.add(st.fileOf(n));
        return files.size() == 1 ? files.iterator().next() : dir;
    }

    /**
     * Writes config.json (model_type bert, architectures BertForMaskedLM) and model.safetensors with Hugging Face's
     * names. The MLM decoder weight is not written, since it is the word embeddings (Hugging Face does the same).
     */
    public static void save(Bert model, Path dir) throws IOException {
        Files.createDirectories(dir);
        model.config().writeJson(dir.resolve(CONFIG_FILE));
        StateDicts.save(dir.resolve(WEIGHTS_FILE), model.stateDict(), Map.of());
    }
}
