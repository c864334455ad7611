package dev.zerolm.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads the PyTorch reference files in src/test/resources/golden (safetensors: u64 little-endian header length,
 * JSON header, raw little-endian data). Only what the tests need: F32 as float[], I64 as int[].
 */
public final class GoldenFile {

    private record Entry(String dtype, int[] shape, int begin, int end) {}

    private final String fileName;
    private final ByteBuffer data;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private GoldenFile(String fileName, byte[] bytes) throws IOException {
        this.fileName = fileName;
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(buf.getLong(0));
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
        this.data = buf.slice(8 + headerLength, bytes.length - 8 - headerLength).order(ByteOrder.LITTLE_ENDIAN);
        for (var field : (Iterable<Map.Entry<String, JsonNode>>) header::fields) {
            JsonNode v = field.getValue();
            if (field.getKey().equals("__metadata__")) {
                v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            int[] shape = new int[v.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = v.get("shape").get(i).asInt();
            JsonNode off = v.get("data_offsets");
            entries.put(field.getKey(), new Entry(v.get("dtype").asText(), shape, off.get(0).asInt(), off.get(1).asInt()));
        }
    }

    /** Loads golden/&lt;fileName&gt; from the test class path. */
    public static GoldenFile load(String fileName) {
        try (InputStream in = GoldenFile.class.getResourceAsStream("/golden/" + fileName)) {
            if (in == null) throw new IllegalArgumentException("golden file not on the class path: golden/" + fileName);
            return new GoldenFile(fileName, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading golden/" + fileName, e);
        }
    }

    public Set<String> names() {
        return entries.keySet();
    }

    public String meta(String key) {
        String v = metadata.get(key);
        if (v == null) throw new IllegalArgumentException(fileName + ": no metadata '" + key + "'");
        return v;
    }

    public int[] shape(String name) {
        return entry(name, null).shape.clone();
    }

    public float[] floats(String name) {
        Entry e = entry(name, "F32");
        float[] out = new float[(e.end - e.begin) / 4];
        for (int i = 0; i < out.length; i++) out[i] = data.getFloat(e.begin + 4 * i);
        return out;
    }

    public int[] ints(String name) {
        Entry e = entry(name, "I64");
        int[] out = new int[(e.end - e.begin) / 8];
        for (int i = 0; i < out.length; i++) out[i] = Math.toIntExact(data.getLong(e.begin + 8 * i));
        return out;
    }

    public Tensor tensor(String name) {
        return Tensor.of(floats(name), shape(name));
    }

    public IntTensor intTensor(String name) {
        return IntTensor.of(ints(name), shape(name));
    }

    private Entry entry(String name, String dtype) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException(fileName + ": no tensor '" + name + "' (has " + entries.keySet() + ")");
        if (dtype != null && !e.dtype.equals(dtype)) {
            throw new IllegalArgumentException(fileName + ": tensor '" + name + "' is " + e.dtype + ", not " + dtype);
        }
        return e;
    }
}
