package dev.zerolm.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.zerolm.io.AtomicFiles;
import dev.zerolm.io.StateDicts;
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
import java.util.Map;
import java.util.stream.Stream;

/**
 * A checkpoint directory: {@code model.safetensors} (weights), {@code config.json} (model shape),
 * the tokenizer's files, and for resuming {@code optimizer.safetensors} + {@code trainer_state.json}
 * (step, RNG states, best validation loss, training settings).
 * <p>A directory is replaced atomically: everything is written into {@code NAME.tmp}, the old directory is
 * renamed to {@code NAME.old}, the new one into place, then the old one deleted. A reader finding only
 * {@code NAME.old} (a kill between the two renames) uses it.
 */
public final class Checkpoint {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What the trainer needs beyond weights and optimiser buffers to continue exactly where it stopped. */
    public record TrainerState(int step, long[] batchRng, long[] modelRng, float bestValLoss, TrainConfig train) {}

    private Checkpoint() {}

    public static void save(Path dir, GPT model, Tokenizer tokenizer, Optimizer optimizer, TrainerState state) throws IOException {
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
        Path old = dir.resolveSibling(dir.getFileName() + ".old");
        deleteRecursively(tmp);
        Files.createDirectories(tmp);
        saveModel(tmp, model, tokenizer);
        if (optimizer != null) StateDicts.save(tmp.resolve("optimizer.safetensors"), optimizer.stateDict(model), Map.of());
        if (state != null) AtomicFiles.writeString(tmp.resolve("trainer_state.json"), JSON.writeValueAsString(state));
        deleteRecursively(old);
        if (Files.exists(dir)) Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(old);
    }

    /** Weights, config and tokenizer: all that generation needs. */
    public static void saveModel(Path dir, GPT model, Tokenizer tokenizer) throws IOException {
        Files.createDirectories(dir);
        // Tied lm_head: stored once, under transformer.wte.weight, as nanoGPT's state dict has it.
        StateDicts.save(dir.resolve("model.safetensors"), model.stateDict(), Map.of("framework", "zerolm"));
        AtomicFiles.writeString(dir.resolve("config.json"), JSON.writeValueAsString(model.config()));
        tokenizer.save(dir);
    }

    /** The directory to read: dir itself, or the previous copy left by a save that was interrupted. */
    public static Path resolve(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("config.json"))) return dir;
        Path old = dir.resolveSibling(dir.getFileName() + ".old");
        if (Files.isRegularFile(old.resolve("config.json"))) return old;
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory, so not a ZeroLM checkpoint; train one with `zerolm pretrain --out DIR`");
        }
        throw new NoSuchFileException(dir.toString(), null, "not a ZeroLM checkpoint (no config.json); train one with `zerolm pretrain --out DIR`");
    }

    public static GPTConfig readConfig(Path dir) throws IOException {
        Path file = resolve(dir).resolve("config.json");
        try {
            return JSON.readValue(file.toFile(), GPTConfig.class);
        } catch (IOException e) {
            throw new IOException(file + ": cannot read the model config: " + e.getMessage(), e);
        }
    }

    /** A model with the checkpoint's weights, in eval mode. */
    public static GPT loadModel(Path dir) throws IOException {
        Path d = resolve(dir);
        GPT model = new GPT(readConfig(d), new Rng(0));
        loadWeights(d, model);
        model.eval();
        return model;
    }

    static void loadWeights(Path dir, GPT model) throws IOException {
        Map<String, Tensor> weights = StateDicts.load(resolve(dir).resolve("model.safetensors"));
        model.loadStateDict(weights, true);
    }

    public static Tokenizer loadTokenizer(Path dir) throws IOException {
        return Tokenizer.load(resolve(dir));
    }

    /** Weights, optimiser buffers and trainer state of a resumable checkpoint. */
    public static TrainerState loadForResume(Path dir, GPT model, Optimizer optimizer) throws IOException {
        Path d = resolve(dir);
        Path stateFile = d.resolve("trainer_state.json");
        if (!Files.isRegularFile(stateFile)) {
            throw new NoSuchFileException(d.toString(), null, "holds no trainer_state.json, so training cannot resume from it");
        }
        loadWeights(d, model);
        optimizer.loadStateDict(StateDicts.load(d.resolve("optimizer.safetensors")), model);
        return JSON.readValue(stateFile.toFile(), TrainerState.class);
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
