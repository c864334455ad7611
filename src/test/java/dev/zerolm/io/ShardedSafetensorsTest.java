package dev.zerolm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint split over two shards plus model.safetensors.index.json, read through one API. */
class ShardedSafetensorsTest {

    private static final String SHARD_1 = "model-00001-of-00002.safetensors";
    private static final String SHARD_2 = "model-00002-of-00002.safetensors";

    @TempDir
    Path dir;

    private void writeShards() throws Exception {
        Map<String, TensorData> first = new LinkedHashMap<>();
        first.put("wte.weight", TensorData.ofFloats("wte.weight", new long[] {2, 2}, new float[] {1, 2, 3, 4}));
        first.put("h.0.ln.weight", TensorData.ofFloats("h.0.ln.weight", new float[] {5, 6}));
        SafetensorsWriter.write(dir.resolve(SHARD_1), first);
        Map<String, TensorData> second = new LinkedHashMap<>();
        second.put("lm_head.weight", TensorData.ofFloats("lm_head.weight", new float[] {7, 8, 9}));
        second.put("ids", TensorData.ofLongs("ids", new long[] {1}, new long[] {42}));
        SafetensorsWriter.write(dir.resolve(SHARD_2), second, Map.of(), DType.BF16);
    }

    private void writeIndex(String weightMap) throws Exception {
        AtomicFiles.writeString(dir.resolve(Safetensors.SHARD_INDEX),
                "{\"metadata\": {\"total_size\": 54, \"note\": \"two shards\"}, \"weight_map\": {" + weightMap + "}}");
    }

    private void writeGoodIndex() throws Exception {
        writeIndex("\"wte.weight\": \"" + SHARD_1 + "\", \"lm_head.weight\": \"" + SHARD_2 + "\", "
                + "\"h.0.ln.weight\": \"" + SHARD_1 + "\", \"ids\": \"" + SHARD_2 + "\"");
    }

    @Test
    void openingTheDirectoryReadsTensorsFromBothShards() throws Exception {
        writeShards();
        writeGoodIndex();
        try (Safetensors st = Safetensors.open(dir)) {
            assertThat(st).isInstanceOf(ShardedSafetensors.class);
            assertThat(st.names()).containsExactly("wte.weight", "lm_head.weight", "h.0.ln.weight", "ids");
            assertThat(st.metadata()).containsEntry("total_size", "54").containsEntry("note", "two shards");
            assertThat(st.readFloats("wte.weight")).containsExactly(1, 2, 3, 4);
            assertThat(st.info("wte.weight").shape()).containsExactly(2, 2);
            assertThat(st.readFloats("lm_head.weight")).containsExactly(7, 8, 9);
            assertThat(st.info("lm_head.weight").dtype()).isEqualTo(DType.BF16);
            assertThat(st.readLongs("ids")).containsExactly(42);
            assertThat(st.fileOf("lm_head.weight").getFileName().toString()).isEqualTo(SHARD_2);
            assertThat(st.contains("h.0.ln.weight")).isTrue();
            assertThat(((ShardedSafetensors) st).shardNames()).containsExactly(SHARD_1, SHARD_2);
        }
    }

    @Test
    void shardsAreOpenedOnlyWhenOneOfTheirTensorsIsRead() throws Exception {
        writeShards();
        writeGoodIndex();
        Files.write(dir.resolve(SHARD_2), new byte[] {1, 2}); // corrupt, but not touched until needed
        try (ShardedSafetensors st = ShardedSafetensors.open(dir.resolve(Safetensors.SHARD_INDEX))) {
            assertThat(st.openShardCount()).isZero();
            assertThat(st.readFloats("h.0.ln.weight")).containsExactly(5, 6);
            assertThat(st.readFloats("wte.weight")).containsExactly(1, 2, 3, 4);
            assertThat(st.openShardCount()).isEqualTo(1);
            assertThatThrownBy(() -> st.readFloats("lm_head.weight"))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasCauseInstanceOf(SafetensorsException.class)
                    .hasMessageContaining(SHARD_2)
                    .hasMessageContaining("too short");
        }
    }

    @Test
    void missingTensorListsNamesFromTheIndex() throws Exception {
        writeShards();
        writeGoodIndex();
        try (Safetensors st = Safetensors.open(dir)) {
            assertThatThrownBy(() -> st.readFloats("lm_head.bias"))
                    .isInstanceOf(NoSuchTensorException.class)
                    .hasMessageContaining(Safetensors.SHARD_INDEX)
                    .hasMessageContaining("closest: 'lm_head.weight'");
        }
    }

    @Test
    void indexNamingAShardThatLacksTheTensorIsReported() throws Exception {
        writeShards();
        writeIndex("\"wte.weight\": \"" + SHARD_2 + "\"");
        try (Safetensors st = Safetensors.open(dir)) {
            assertThatThrownBy(() -> st.readFloats("wte.weight"))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("tensor 'wte.weight'")
                    .hasMessageContaining("shard '" + SHARD_2 + "', which does not hold it");
        }
    }

    @Test
    void missingShardFileIsReportedOnOpen() throws Exception {
        writeShards();
        writeIndex("\"wte.weight\": \"model-00003-of-00002.safetensors\"");
        assertThatThrownBy(() -> Safetensors.open(dir))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining(Safetensors.SHARD_INDEX)
                .hasMessageContaining("tensor 'wte.weight'")
                .hasMessageContaining("'model-00003-of-00002.safetensors' does not exist");
    }

    @Test
    void shardPathsMayNotEscapeTheIndexDirectory() throws Exception {
        writeShards();
        writeIndex("\"wte.weight\": \"../" + SHARD_1 + "\"");
        assertThatThrownBy(() -> Safetensors.open(dir))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("tensor 'wte.weight'")
                .hasMessageContaining("is not a file inside");
    }

    @Test
    void indexWithoutAWeightMapIsRejected() throws Exception {
        AtomicFiles.writeString(dir.resolve(Safetensors.SHARD_INDEX), "{\"metadata\": {}}");
        assertThatThrownBy(() -> Safetensors.open(dir))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("weight_map");
    }

    @Test
    void directoryWithOnlyModelSafetensorsOpensASingleFile() throws Exception {
        TensorData w = TensorData.ofFloats("w", new float[] {1});
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("w", w));
        try (Safetensors st = Safetensors.open(dir)) {
            assertThat(st).isInstanceOf(SafetensorsReader.class);
            assertThat(st.readFloats("w")).containsExactly(1);
        }
    }

    @Test
    void closedCheckpointRefusesFurtherReads() throws Exception {
        writeShards();
        writeGoodIndex();
        Safetensors st = Safetensors.open(dir);
        st.readFloats("wte.weight");
        st.close();
        assertThatThrownBy(() -> st.readFloats("wte.weight")).isInstanceOf(IllegalStateException.class);
    }
}
