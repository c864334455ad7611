package dev.zerolm.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Read access to safetensors weights, one file or a sharded checkpoint alike. Tensors are loaded lazily:
 * nothing is copied until a {@code read*} method is called, and {@link #slice} copies nothing at all.
 */
public interface Safetensors extends AutoCloseable {

    /** Name of the index Hugging Face writes next to sharded checkpoints. */
    String SHARD_INDEX = "model.safetensors.index.json";

    /**
     * Opens a ".safetensors" file, a ".json" shard index, or a directory holding either
     * ({@value #SHARD_INDEX} first, then "model.safetensors", then the only index or safetensors file there).
     */
    static Safetensors open(Path fileOrDirectory) throws IOException {
        if (!Files.isDirectory(fileOrDirectory)) {
            return fileOrDirectory.getFileName().toString().endsWith(".json")
                    ? ShardedSafetensors.open(fileOrDirectory)
                    : SafetensorsReader.open(fileOrDirectory);
        }
        Path index = fileOrDirectory.resolve(SHARD_INDEX);
        if (Files.isRegularFile(index)) return ShardedSafetensors.open(index);
        Path single = fileOrDirectory.resolve("model.safetensors");
        if (Files.isRegularFile(single)) return SafetensorsReader.open(single);
        List<Path> indexes = filesEndingWith(fileOrDirectory, ".safetensors.index.json");
        if (indexes.size() == 1) return ShardedSafetensors.open(indexes.getFirst());
        List<Path> files = filesEndingWith(fileOrDirectory, ".safetensors");
        if (indexes.isEmpty() && files.size() == 1) return SafetensorsReader.open(files.getFirst());
        throw new IOException(fileOrDirectory + ": expected " + SHARD_INDEX + " or model.safetensors, found "
                + indexes.size() + " shard indexes and " + files.size() + " .safetensors files");
    }

    private static List<Path> filesEndingWith(Path directory, String suffix) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        }
    }

    /** Tensor names in file order (index order for a sharded checkpoint). */
    List<String> names();

    /** The "__metadata__" strings (the index's "metadata" for a sharded checkpoint); empty if none. */
    Map<String, String> metadata();

    boolean contains(String name);

    /** Dtype, shape and byte offsets of {@code name}; throws {@link NoSuchTensorException} if absent. */
    TensorInfo info(String name);

    /** The file that holds {@code name} (the shard, for a sharded checkpoint). */
    Path fileOf(String name);

    /** A zero-copy view of {@code name}; valid until this is closed. */
    TensorData tensor(String name);

    /** The raw little-endian bytes of {@code name}, zero-copy; valid until this is closed. */
    default MemorySegment slice(String name) {
        return tensor(name).bytes();
    }

    /** {@code name} converted to float32, whatever its dtype. */
    default float[] readFloats(String name) {
        return tensor(name).toFloats();
    }

    /** {@code name} as ints; the tensor must have an integer or bool dtype. */
    default int[] readInts(String name) {
        return requireInteger(name, "readInts").toInts();
    }

    /** {@code name} as longs; the tensor must have an integer or bool dtype. */
    default long[] readLongs(String name) {
        return requireInteger(name, "readLongs").toLongs();
    }

    private TensorData requireInteger(String name, String operation) {
        TensorData tensor = tensor(name);
        if (tensor.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(fileOf(name) + ": " + operation + ": tensor '" + name
                    + "' has dtype " + tensor.dtype() + ", not an integer dtype; use readFloats");
        }
        return tensor;
    }

    /** Unmaps the file(s); views handed out before become invalid. */
    @Override
    void close();
}
