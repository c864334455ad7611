package dev.zerolm.models.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.io.StateDicts;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.testutil.GoldenAssert;
import dev.zerolm.testutil.TestResources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Copies of the tiny Hugging Face directories in src/test/resources/hf, to be altered by a test. */
final class HfTestDirs {

    static final Path TINY_GPT2 = TestResources.path("hf/tiny-gpt2");
    static final Path TINY_LLAMA = TestResources.path("hf/tiny-llama");

    private HfTestDirs() {}

    /** A copy of source under tmp/name. */
    static Path copy(Path source, Path tmp, String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        return dir;
    }

    /** Rewrites dir/model.safetensors after edit has changed its tensors (by name, in order). */
    static void editWeights(Path dir, Consumer<Map<String, Tensor>> edit) throws IOException {
        Map<String, Tensor> tensors = StateDicts.load(dir.resolve("model.safetensors"));
        edit.accept(tensors);
        StateDicts.save(dir.resolve("model.safetensors"), tensors, Map.of());
    }

    /**
     * The same weights must give the same logits. Within 1e-6 of the largest rather than bit for bit: the GEMM
     * kernel's vector reduction may add its lanes in another order once the JIT compiles it.
     */
    static void assertSameLogits(String name, Tensor actual, Tensor expected) {
        GoldenAssert.assertClose(name, actual, expected, 1e-6);
    }

    /** Rewrites dir/config.json after edit has changed it. */
    static void editConfig(Path dir, Consumer<ObjectNode> edit) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        edit.accept(config);
        json.writeValue(dir.resolve("config.json").toFile(), config);
    }
}
