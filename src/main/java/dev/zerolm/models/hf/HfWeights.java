package dev.zerolm.models.hf;

import dev.zerolm.io.NoSuchTensorException;
import dev.zerolm.io.Safetensors;
import dev.zerolm.io.SafetensorsException;
import dev.zerolm.io.SafetensorsReader;
import dev.zerolm.io.ShardedSafetensors;
import dev.zerolm.io.TensorInfo;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The weights of a Hugging Face model directory (model.safetensors or a sharded index), read tensor by tensor
 * against the shapes the config implies. Remembers which tensors were used, so a loader can reject the ones
 * that belong to no part of the model. Errors name the file and the tensor.
 */
final class HfWeights implements AutoCloseable {

    private final Safetensors st;
    private final Path source; // the file, or the shard index
    private final String config; // what the shapes come from, for messages
    private final Set<String> used = new HashSet<>();

    private HfWeights(Safetensors st, Path source, String config) {
        this.st = st;
        this.source = source;
        this.config = config;
    }

    /** Opens the directory's weights; config describes the config.json fields the shapes follow. */
    static HfWeights open(Path dir, String config) throws IOException {
        Safetensors st = Safetensors.open(dir);
        Path source = switch (st) {
            case SafetensorsReader r -> r.file();
            case ShardedSafetensors s -> s.indexFile();
            default -> dir;
        };
        return new HfWeights(st, source, config);
    }

    boolean contains(String name) {
        return st.contains(name);
    }

    /** name as float32, which must have exactly the given shape. */
    Tensor read(String name, int... shape) throws SafetensorsException {
        requireShape(name, shape);
        used.add(name);
        return Tensor.of(st.readFloats(name), shape);
    }

    /**
     * A Conv1D weight stored (in, out), as GPT-2 stores c_attn, c_proj and c_fc, returned transposed to the
     * (out, in) layout of {@link dev.zerolm.nn.Linear}; linearShape is that (out, in).
     */
    Tensor readTransposed(String name, int[] linearShape) throws SafetensorsException {
        int out = linearShape[0], in = linearShape[1];
        return read(name, in, out).t().contiguous();
    }

    /** Marks name (if present) as known but unused, e.g. GPT-2's attn.bias mask buffer. */
    void skip(String name) {
        if (st.contains(name)) used.add(name);
    }

    /** Tensors of the file that no read or skip has touched, in file order. */
    List<String> unused() {
        List<String> out = new ArrayList<>();
        for (String name : st.names()) if (!used.contains(name)) out.add(name);
        return out;
    }

    /** Throws, naming the tensors, if any tensor of the file belongs to no part of the model. */
    void requireAllUsed(String model) throws SafetensorsException {
        List<String> extra = unused();
        if (extra.isEmpty()) return;
        String shown = extra.size() > 5 ? extra.subList(0, 5) + " and " + (extra.size() - 5) + " more" : extra.toString();
        throw new SafetensorsException(source, extra.getFirst(), "is not part of a " + model + " with " + config
                + "; unexpected tensors: " + shown);
    }

    Path source() {
        return source;
    }

    private void requireShape(String name, int[] shape) throws SafetensorsException {
        if (!st.contains(name)) {
            String closest = NoSuchTensorException.closest(name, st.names());
            throw new SafetensorsException(source, name, "missing, but " + config + " requires it"
                    + (closest == null ? "; the file holds no tensors" : "; the closest name present is '" + closest + "'"));
        }
        TensorInfo info = st.info(name);
        long[] stored = info.shape();
        boolean same = stored.length == shape.length;
        for (int i = 0; same && i < shape.length; i++) same = stored[i] == shape[i];
        if (!same) {
            int[] storedInts = new int[stored.length];
            for (int i = 0; i < stored.length; i++) storedInts[i] = (int) Math.min(stored[i], Integer.MAX_VALUE);
            throw new SafetensorsException(st.fileOf(name), name, "has shape " + Shapes.str(storedInts) + " but "
                    + config + " requires " + Shapes.str(shape));
        }
        if (!info.dtype().isFloatingPoint()) {
            throw new SafetensorsException(st.fileOf(name), name, "has dtype " + info.dtype() + "; weights must be F32, F16, BF16 or F64");
        }
    }

    @Override
    public void close() {
        st.close();
    }
}
