package dev.zerolm.models.hf;

import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.zerolm.models.hf.HfTestDirs.TINY_GPT2;
import static dev.zerolm.models.hf.HfTestDirs.TINY_LLAMA;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Broken model directories fail with an error naming the file and the tensor or field, never with a stack of nulls. */
class HfDirectoryHostileTest {

    @TempDir
    Path tmp;

    @Test
    void aMissingGpt2TensorIsNamedWithItsFileAndTheConfigThatNeedsIt() throws IOException {
        Path dir = HfTestDirs.copy(TINY_GPT2, tmp, "missing");
        HfTestDirs.editWeights(dir, t -> t.remove("transformer.h.1.mlp.c_fc.weight"));
        assertThatThrownBy(() -> HfModel.load(dir))
                .hasMessageContaining(dir.resolve("model.safetensors").toString())
                .hasMessageContaining("'transformer.h.1.mlp.c_fc.weight'").hasMessageContaining("missing")
                .hasMessageContaining("n_layer 2").hasMessageContaining("closest name present is 'transformer.h.0.mlp.c_fc.weight'");
    }

    @Test
    void aShapeThatDisagreesWithTheConfigIsNamedWithBothShapes() throws IOException {
        Path dir = HfTestDirs.copy(TINY_GPT2, tmp, "vocab");
        HfTestDirs.editConfig(dir, c -> c.put("vocab_size", 300));
        assertThatThrownBy(() -> HfModel.load(dir))
                .hasMessageContaining("model.safetensors").hasMessageContaining("'transformer.wte.weight'")
                .hasMessageContaining("has shape (281,24)").hasMessageContaining("requires (300,24)")
                .hasMessageContaining("vocab_size 300");
    }

    @Test
    void aTransposedConv1DWeightIsCaught() throws IOException {
        Path dir = HfTestDirs.copy(TINY_GPT2, tmp, "transposed");
        HfTestDirs.editWeights(dir, t -> t.put("transformer.h.0.mlp.c_fc.weight",
                t.get("transformer.h.0.mlp.c_fc.weight").t().contiguous()));
        assertThatThrownBy(() -> HfModel.load(dir))
                .hasMessageContaining("'transformer.h.0.mlp.c_fc.weight'").hasMessageContaining("has shape (96,24)")
                .hasMessageContaining("requires (24,96)");
    }

    @Test
    void aTensorThatBelongsToNoPartOfTheModelIsRefused() throws IOException {
        Path dir = HfTestDirs.copy(TINY_GPT2, tmp, "extra");
        HfTestDirs.editWeights(dir, t -> t.put("transformer.h.2.ln_1.weight", Tensor.ones(24)));
        assertThatThrownBy(() -> HfModel.load(dir))
                .hasMessageContaining("'transformer.h.2.ln_1.weight'").hasMessageContaining("not part of a GPT-2");
    }

    @Test
    void aLlamaWithWrongKeyValueHeadsNamesTheProjectionAndTheField() throws IOException {
        Path dir = HfTestDirs.copy(TINY_LLAMA, tmp, "kv");
        HfTestDirs.editConfig(dir, c -> c.put("num_key_value_heads", 4));
        assertThatThrownBy(() -> HfModel.load(dir))
                .hasMessageContaining("'model.layers.0.self_attn.k_proj.weight'").hasMessageContaining("has shape (16,32)")
                .hasMessageContaining("requires (32,32)").hasMessageContaining("num_key_value_heads 4");
    }

    @Test
    void aMissingLlamaLmHeadIsNamedWhenTheConfigDoesNotTieIt() throws IOException {
        Path dir = HfTestDirs.copy(TINY_LLAMA, tmp, "nohead");
        HfTestDirs.editWeights(dir, t -> t.remove("lm_head.weight"));
        assertThatThrownBy(() -> HfModel.load(dir)).hasMessageContaining("'lm_head.weight'").hasMessageContaining("missing");
        HfTestDirs.editConfig(dir, c -> c.put("tie_word_embeddings", true));
        HfModel.load(dir); // tied: no lm_head needed
    }

    @Test
    void configProblemsNameTheFileAndTheField() throws IOException {
        Path dir = HfTestDirs.copy(TINY_LLAMA, tmp, "config");
        HfTestDirs.editConfig(dir, c -> c.put("num_key_value_heads", 3));
        assertThatThrownBy(() -> HfModel.load(dir)).hasMessageContaining("config.json")
                .hasMessageContaining("num_attention_heads 4").hasMessageContaining("num_key_value_heads 3");
        HfTestDirs.editConfig(dir, c -> c.remove("hidden_size"));
        assertThatThrownBy(() -> HfModel.load(dir)).hasMessageContaining("config.json").hasMessageContaining("'hidden_size' is missing");
        HfTestDirs.editConfig(dir, c -> c.put("hidden_size", "32"));
        assertThatThrownBy(() -> HfModel.load(dir)).hasMessageContaining("'hidden_size' must be an integer");
        HfTestDirs.editConfig(dir, c -> c.put("hidden_size", 32).putObject("rope_scaling").put("rope_type", "llama3"));
        assertThatThrownBy(() -> HfModel.load(dir)).hasMessageContaining("rope_scaling").hasMessageContaining("not supported");
        HfTestDirs.editConfig(dir, c -> c.put("model_type", "mamba"));
        assertThatThrownBy(() -> HfModel.load(dir)).hasMessageContaining("model_type 'mamba'").hasMessageContaining("gpt2, llama");
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": ");
        assertThatThrownBy(() -> HfModel.load(dir)).hasMessageContaining("config.json").hasMessageContaining("not valid JSON");
        Files.delete(dir.resolve("config.json"));
        assertThatThrownBy(() -> HfModel.load(dir)).hasMessageContaining("no config.json");
    }

    @Test
    void truncatedWeightsAreAFormatErrorNamingTheFile() throws IOException {
        Path dir = HfTestDirs.copy(TINY_GPT2, tmp, "truncated");
        Path file = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> HfModel.load(dir)).hasMessageContaining(file.toString());
    }

    @Test
    void integerWeightsAreRefusedByDtype() throws IOException {
        Path dir = HfTestDirs.copy(TINY_GPT2, tmp, "ints");
        var tensors = dev.zerolm.io.StateDicts.load(dir.resolve("model.safetensors"));
        var data = new java.util.LinkedHashMap<String, dev.zerolm.io.TensorData>();
        for (var e : tensors.entrySet()) {
            int[] s = e.getValue().shape();
            long[] shape = Arrays.stream(s).asLongStream().toArray();
            data.put(e.getKey(), e.getKey().equals("transformer.ln_f.bias")
                    ? dev.zerolm.io.TensorData.ofInts(e.getKey(), shape, new int[e.getValue().numel()])
                    : dev.zerolm.io.TensorData.ofFloats(e.getKey(), shape, e.getValue().toArray()));
        }
        dev.zerolm.io.SafetensorsWriter.write(dir.resolve("model.safetensors"), data);
        assertThatThrownBy(() -> HfModel.load(dir)).hasMessageContaining("'transformer.ln_f.bias'").hasMessageContaining("dtype I32");
    }
}
