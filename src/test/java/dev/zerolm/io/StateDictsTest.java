package dev.zerolm.io;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StateDictsTest {

    @Test
    void tensorsRoundTripExactlyWithNamesShapesAndOrder(@TempDir Path dir) throws Exception {
        Rng rng = new Rng(1);
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("b.weight", Tensor.randn(rng, 3, 4));
        state.put("a.bias", Tensor.randn(rng, 4));
        state.put("scalar", Tensor.scalar(2f));
        state.put("view", Tensor.randn(rng, 4, 3).t()); // a non-contiguous view is written in row-major order
        Path file = dir.resolve("m.safetensors");
        StateDicts.save(file, state, Map.of("step", "7"));
        Map<String, Tensor> back = StateDicts.load(file);
        assertThat(back.keySet()).containsExactly("b.weight", "a.bias", "scalar", "view");
        for (var e : state.entrySet()) {
            assertThat(back.get(e.getKey()).shape()).containsExactly(e.getValue().shape());
            assertThat(back.get(e.getKey()).toArray()).containsExactly(e.getValue().toArray());
        }
        try (Safetensors st = Safetensors.open(file)) {
            assertThat(st.metadata()).containsEntry("step", "7").containsEntry("format", "pt");
        }
    }
}
