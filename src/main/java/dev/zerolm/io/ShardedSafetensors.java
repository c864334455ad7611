package dev.zerolm.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checkpoint split over several safetensors files, found through an index such as
 * {@code {"metadata": {...}, "weight_map": {"lm_head.weight": "model-00002-of-00002.safetensors", ...}}}.
 * Each shard is mapped only when one of its tensors is first asked for. A shard that turns out malformed
 * then surfaces as an {@link UncheckedIOException} whose cause is the {@link SafetensorsException}.
 */
public final class ShardedSafetensors implements Safetensors {

    private final Path indexFile;
    private final Map<String, String> weightMap;
    private final Map<String, String> metadata;
    private final List<String> names;
    private final Map<String, SafetensorsReader> openShards = new HashMap<>();
    private boolean closed;

    private ShardedSafetensors(Path indexFile, Map<String, String> weightMap, Map<String, String> metadata) {
        this.indexFile = indexFile;
        this.weightMap = weightMap;
        this.metadata = metadata;
        this.names = List.copyOf(weightMap.keySet());
    }

    /** Reads and validates the index; every shard it names must exist next to it, but none is opened yet. */
    public static ShardedSafetensors open(Path indexFile) throws IOException {
        long size = Files.size(indexFile);
        if (size > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new SafetensorsException(indexFile, null, "index is " + size + " bytes, over the limit of "
                    + SafetensorsHeader.MAX_HEADER_BYTES);
        }
        JsonNode root = SafetensorsHeader.parseJson(indexFile, Files.readAllBytes(indexFile), "index");
        if (!root.isObject()) throw new SafetensorsException(indexFile, null, "index must be a JSON object");
        JsonNode weights = root.get("weight_map");
        if (weights == null || !weights.isObject()) {
            throw new SafetensorsException(indexFile, null, "index needs a \"weight_map\" object of tensor name"
                    + " to shard file name");
        }
        Path directory = indexFile.toAbsolutePath().getParent();
        Map<String, String> weightMap = new LinkedHashMap<>();
        Set<String> existingShards = new HashSet<>();
        for (Map.Entry<String, JsonNode> entry : weights.properties()) {
            String tensor = entry.getKey();
            if (!entry.getValue().isTextual()) {
                throw new SafetensorsException(indexFile, tensor, "shard must be a file name string, found "
                        + entry.getValue().getNodeType());
            }
            String shard = entry.getValue().textValue();
            Path shardPath = directory.resolve(shard).normalize();
            if (shard.isEmpty() || !shardPath.startsWith(directory) || shardPath.equals(directory)) {
                throw new SafetensorsException(indexFile, tensor, "shard '" + shard
                        + "' is not a file inside " + directory);
            }
            if (!existingShards.contains(shard) && !Files.isRegularFile(shardPath)) {
                throw new SafetensorsException(indexFile, tensor, "shard '" + shard + "' does not exist",
                        new NoSuchFileException(shardPath.toString()));
            }
            existingShards.add(shard);
            weightMap.put(tensor, shard);
        }
        return new ShardedSafetensors(indexFile, Collections.unmodifiableMap(weightMap), metadata(root));
    }

    /** The index's "metadata"; HF puts numbers there (total_size), so scalars are kept as their text. */
    private static Map<String, String> metadata(JsonNode root) {
        JsonNode node = root.get("metadata");
        if (node == null || !node.isObject()) return Map.of();
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            JsonNode value = entry.getValue();
            map.put(entry.getKey(), value.isValueNode() ? value.asText() : value.toString());
        }
        return Collections.unmodifiableMap(map);
    }

    public Path indexFile() {
        return indexFile;
    }

    /** Shard file names in first-use order of the index. */
    public List<String> shardNames() {
        return weightMap.values().stream().distinct().toList();
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public boolean contains(String name) {
        return weightMap.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return shardOf(name).info(name);
    }

    @Override
    public Path fileOf(String name) {
        return shardOf(name).file();
    }

    @Override
    public TensorData tensor(String name) {
        return shardOf(name).tensor(name);
    }

    /** Shards opened so far (for tests and diagnostics). */
    synchronized int openShardCount() {
        return openShards.size();
    }

    private synchronized SafetensorsReader shardOf(String name) {
        if (closed) throw new IllegalStateException(indexFile + ": already closed");
        String shard = weightMap.get(name);
        if (shard == null) throw new NoSuchTensorException(indexFile, name, names);
        SafetensorsReader reader = openShards.get(shard);
        if (reader == null) {
            Path shardPath = indexFile.toAbsolutePath().getParent().resolve(shard);
            try {
                reader = SafetensorsReader.open(shardPath);
            } catch (IOException e) {
                throw new UncheckedIOException("shard '" + shard + "' of " + indexFile + ": " + e.getMessage(), e);
            }
            openShards.put(shard, reader);
        }
        if (!reader.contains(name)) {
            SafetensorsException missing = new SafetensorsException(indexFile, name,
                    "the index puts this tensor in shard '" + shard + "', which does not hold it");
            throw new UncheckedIOException(missing.getMessage(), missing);
        }
        return reader;
    }

    @Override
    public synchronized void close() {
        closed = true;
        openShards.values().forEach(SafetensorsReader::close);
        openShards.clear();
    }

    @Override
    public String toString() {
        return "ShardedSafetensors[" + indexFile + ", " + names.size() + " tensors]";
    }
}
