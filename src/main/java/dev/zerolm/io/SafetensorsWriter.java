package dev.zerolm.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes safetensors files PyTorch and Hugging Face can load: tensors laid out back to back in map order,
 * header padded with spaces so the data starts at a multiple of 8, written atomically via {@link AtomicFiles}.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Elements converted per step, so any tensor size streams through a fixed small buffer. */
    private static final int CHUNK_ELEMENTS = 1 << 14;

    private SafetensorsWriter() {}

    /** Writes {@code tensors} as F32 (integer tensors keep their dtype) with only {"format": "pt"} metadata. */
    public static void write(Path file, Map<String, TensorData> tensors) throws IOException {
        write(file, tensors, Map.of(), DType.F32);
    }

    /**
     * Writes {@code tensors}, each under its map key, in the map's iteration order (use a LinkedHashMap).
     * Floating-point tensors are stored as {@code floatDType} (F32, BF16, F16 or F64; rounding to nearest
     * even; F64 sources pass through float32 first); integer and bool tensors keep their own dtype.
     * {@code metadata} joins {"format": "pt"}.
     */
    public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata,
                             DType floatDType) throws IOException {
        if (!floatDType.isFloatingPoint()) {
            throw new IllegalArgumentException("write " + file + ": float dtype must be F64, F32, F16 or BF16, not "
                    + floatDType);
        }
        byte[] header = header(file, tensors, metadata, floatDType);
        AtomicFiles.writeAtomically(file, out -> {
            byte[] prefix = new byte[Long.BYTES];
            MemorySegment.ofArray(prefix).set(LittleEndian.I64, 0, header.length);
            out.write(prefix);
            out.write(header);
            for (TensorData tensor : tensors.values()) {
                writeData(out, tensor, storedDType(tensor.dtype(), floatDType));
            }
        });
    }

    /** The dtype a tensor ends up with on disk. */
    static DType storedDType(DType source, DType floatDType) {
        return source.isFloatingPoint() ? floatDType : source;
    }

    /** JSON header with contiguous offsets, space-padded so 8 + its length is a multiple of 8. */
    static byte[] header(Path file, Map<String, TensorData> tensors, Map<String, String> metadata, DType floatDType)
            throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
        meta.put("format", "pt");
        metadata.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new IllegalArgumentException("write " + file + ": metadata may not hold null ("
                        + key + " -> " + value + ")");
            }
            meta.put(key, value);
        });
        long offset = 0;
        for (Map.Entry<String, TensorData> entry : tensors.entrySet()) {
            String name = entry.getKey();
            if (name == null || name.equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("write " + file + ": '" + name + "' cannot name a tensor");
            }
            TensorData tensor = entry.getValue();
            DType stored = storedDType(tensor.dtype(), floatDType);
            long size = tensor.numel() * stored.byteSize();
            ObjectNode info = root.putObject(name);
            info.put("dtype", stored.name());
            ArrayNode shape = info.putArray("shape");
            for (long dim : tensor.shape()) shape.add(dim);
            info.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json = JSON.writeValueAsBytes(root);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    /** Streams one tensor's elements as {@code stored}, converting chunk by chunk when the dtype differs. */
    private static void writeData(OutputStream out, TensorData tensor, DType stored) throws IOException {
        MemorySegment source = tensor.bytes();
        byte[] buffer = new byte[CHUNK_ELEMENTS * Double.BYTES];
        MemorySegment chunk = MemorySegment.ofArray(buffer);
        if (tensor.dtype() == stored) {
            for (long at = 0; at < source.byteSize(); at += buffer.length) {
                int length = (int) Math.min(buffer.length, source.byteSize() - at);
                MemorySegment.copy(source, ValueLayout.JAVA_BYTE, at, buffer, 0, length);
                out.write(buffer, 0, length);
            }
            return;
        }
        float[] values = new float[CHUNK_ELEMENTS];
        long n = tensor.numel();
        for (long start = 0; start < n; start += CHUNK_ELEMENTS) {
            int count = (int) Math.min(CHUNK_ELEMENTS, n - start);
            if (tensor.dtype() == DType.F32) {
                MemorySegment.copy(source, LittleEndian.F32, start * Float.BYTES, values, 0, count);
            } else {
                for (int i = 0; i < count; i++) values[i] = LittleEndian.floatAt(source, tensor.dtype(), start + i);
            }
            switch (stored) {
                case F32 -> MemorySegment.copy(values, 0, chunk, LittleEndian.F32, 0, count);
                case BF16 -> {
                    for (int i = 0; i < count; i++) {
                        chunk.setAtIndex(LittleEndian.I16, i, HalfPrecision.floatToBf16(values[i]));
                    }
                }
                case F16 -> {
                    for (int i = 0; i < count; i++) {
                        chunk.setAtIndex(LittleEndian.I16, i, HalfPrecision.floatToF16(values[i]));
                    }
                }
                case F64 -> { for (int i = 0; i < count; i++) chunk.setAtIndex(LittleEndian.F64, i, values[i]); }
                default -> throw new IllegalStateException("cannot convert " + tensor + " to " + stored);
            }
            out.write(buffer, 0, count * stored.byteSize());
        }
    }
}
