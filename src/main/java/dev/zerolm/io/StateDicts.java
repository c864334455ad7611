package dev.zerolm.io;

import dev.zerolm.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Named tensors to and from safetensors files: how models and optimiser states are saved. */
public final class StateDicts {

    private StateDicts() {}

    /** Writes tensors (F32) atomically. Tensors shared under two names (tied weights) are written under each. */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, TensorData> data = new LinkedHashMap<>();
        for (var e : tensors.entrySet()) {
            int[] s = e.getValue().shape();
            long[] shape = new long[s.length];
            for (int i = 0; i < s.length; i++) shape[i] = s[i];
            data.put(e.getKey(), TensorData.ofFloats(e.getKey(), shape, e.getValue().toArray()));
        }
        SafetensorsWriter.write(file, data, metadata, DType.F32);
    }

    /** Reads every tensor of a file (or sharded directory) into heap float32 tensors, in header order. */
    public static Map<String, Tensor> load(Path fileOrDir) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Safetensors st = Safetensors.open(fileOrDir)) {
            for (String name : st.names()) {
                long[] s = st.info(name).shape();
                int[] shape = new int[s.length];
                for (int i = 0; i < s.length; i++) shape[i] = Math.toIntExact(s[i]);
                out.put(name, Tensor.of(st.readFloats(name), shape));
            }
        }
        return out;
    }
}
