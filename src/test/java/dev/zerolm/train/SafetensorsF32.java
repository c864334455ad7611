package dev.zerolm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerolm.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Reads the F32 tensors and metadata of a golden safetensors file from the test classpath (train tests only). */
final class SafetensorsF32 {

    private final Map<String, Tensor> tensors = new HashMap<>();
    private final Map<String, String> metadata = new HashMap<>();

    private SafetensorsF32() {}

    static SafetensorsF32 load(String resource) {
        try (InputStream in = SafetensorsF32.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("golden file " + resource + " is not on the test classpath");
            ByteBuffer all = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            int headerLength = Math.toIntExact(all.getLong(0));
            String json = new String(all.array(), 8, headerLength, StandardCharsets.UTF_8);
            int dataStart = 8 + headerLength;
            SafetensorsF32 file = new SafetensorsF32();
            JsonNode header = new ObjectMapper().readTree(json);
            for (var e : header.properties()) {
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().properties().forEach(m -> file.metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                JsonNode info = e.getValue();
                if (!info.get("dtype").asText().equals("F32")) continue;
                int[] shape = new int[info.get("shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = info.get("shape").get(i).asInt();
                int begin = info.get("data_offsets").get(0).asInt(), end = info.get("data_offsets").get(1).asInt();
                float[] values = new float[(end - begin) / 4];
                all.slice(dataStart + begin, end - begin).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                file.tensors.put(e.getKey(), Tensor.of(values, shape));
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("reading golden file " + resource, e);
        }
    }

    /** A fresh copy of the named tensor, so a test may update it in place. */
    Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("golden file has no tensor '" + name + "'");
        return Tensor.of(t.toArray(), t.shape());
    }

    String meta(String key) {
        String v = metadata.get(key);
        if (v == null) throw new IllegalArgumentException("golden file has no metadata '" + key + "'");
        return v;
    }
}
