package dev.zerolm.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.Map;

import static org.assertj.core.api.Assertions.fail;

/** Reads a golden safetensors file from the test resources (F32 and I64 only) and compares tensors with it. */
final class Golden {

    private final String file;
    private final JsonNode header;
    private final ByteBuffer data;

    private Golden(String file, JsonNode header, ByteBuffer data) {
        this.file = file;
        this.header = header;
        this.data = data;
    }

    static Golden load(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) throw new IllegalStateException("golden file " + name + " is missing from src/test/resources/golden");
            ByteBuffer all = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) all.getLong(0);
            JsonNode header = new ObjectMapper().readTree(new String(all.array(), 8, n, java.nio.charset.StandardCharsets.UTF_8));
            ByteBuffer data = all.slice(8 + n, all.capacity() - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
            return new Golden(name, header, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode entry(String name) {
        JsonNode e = header.get(name);
        if (e == null) throw new IllegalArgumentException(file + ": no tensor '" + name + "'");
        return e;
    }

    private int[] shape(JsonNode e) {
        int[] s = new int[e.get("shape").size()];
        for (int i = 0; i < s.length; i++) s[i] = e.get("shape").get(i).asInt();
        return s;
    }

    Tensor tensor(String name) {
        JsonNode e = entry(name);
        int begin = e.get("data_offsets").get(0).asInt();
        int[] shape = shape(e);
        float[] v = new float[Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = data.getFloat(begin + 4 * i);
        return Tensor.of(v, shape);
    }

    IntTensor ints(String name) {
        JsonNode e = entry(name);
        int begin = e.get("data_offsets").get(0).asInt();
        int[] shape = shape(e);
        int[] v = new int[Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (int) data.getLong(begin + 8 * i);
        return new IntTensor(v, shape);
    }

    String meta(String key) {
        return header.get("__metadata__").get(key).asText();
    }

    Iterator<Map.Entry<String, JsonNode>> entries() {
        return header.fields();
    }

    /** |actual - expected| <= rtol * max|expected| (+ a tiny floor) element-wise, as the golden README advises. */
    void assertClose(String name, Tensor actual, double rtol) {
        Tensor expected = tensor(name);
        if (!java.util.Arrays.equals(actual.shape(), expected.shape())) {
            fail(file + ": '" + name + "' has shape " + Shapes.str(actual.shape()) + ", PyTorch's is " + Shapes.str(expected.shape()));
        }
        float[] a = actual.toArray(), e = expected.toArray();
        double scale = 0;
        for (float v : e) scale = Math.max(scale, Math.abs(v));
        double tol = rtol * scale + 1e-7;
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - e[i]) <= tol)) {
                fail(file + ": '" + name + "' element " + i + " is " + a[i] + ", PyTorch gives " + e[i] + " (tolerance " + tol + ")");
            }
        }
    }
}
