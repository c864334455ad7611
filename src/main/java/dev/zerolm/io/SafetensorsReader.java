package dev.zerolm.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * One memory-mapped safetensors file: an 8-byte little-endian header length N, N bytes of JSON header,
 * then the tensors' bytes. All offsets are longs, so files past 2 GB work. The header is validated in
 * full on open; tensors are read only when asked for. Safe to read from several threads at once.
 */
public final class SafetensorsReader implements Safetensors {

    private final Path file;
    private final Arena arena;
    private final MemorySegment data;
    private final SafetensorsHeader header;
    private final List<String> names;

    private SafetensorsReader(Path file, Arena arena, MemorySegment data, SafetensorsHeader header) {
        this.file = file;
        this.arena = arena;
        this.data = data;
        this.header = header;
        this.names = List.copyOf(header.tensors().keySet());
    }

    /** Maps {@code file} and validates its header; throws {@link SafetensorsException} for a malformed file. */
    public static SafetensorsReader open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            if (!Files.exists(file)) throw new NoSuchFileException(file.toString());
            throw new SafetensorsException(file, null, "not a regular file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < Long.BYTES) {
                throw new SafetensorsException(file, null, "file is " + fileSize
                        + " bytes, too short for the 8-byte header length");
            }
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize, arena);
            long headerLength = whole.get(LittleEndian.I64, 0);
            long afterPrefix = fileSize - Long.BYTES;
            if (Long.compareUnsigned(headerLength, afterPrefix) > 0) {
                throw new SafetensorsException(file, null, "header length " + Long.toUnsignedString(headerLength)
                        + " runs past the end of the file (" + afterPrefix + " bytes follow the length prefix)");
            }
            if (headerLength > SafetensorsHeader.MAX_HEADER_BYTES) {
                throw new SafetensorsException(file, null, "header length " + headerLength
                        + " exceeds the limit of " + SafetensorsHeader.MAX_HEADER_BYTES + " bytes");
            }
            byte[] json = whole.asSlice(Long.BYTES, headerLength).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = whole.asSlice(Long.BYTES + headerLength);
            SafetensorsHeader header = SafetensorsHeader.parse(file, json, data.byteSize());
            return new SafetensorsReader(file, arena, data, header);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public Map<String, String> metadata() {
        return header.metadata();
    }

    @Override
    public boolean contains(String name) {
        return header.tensors().containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) throw new NoSuchTensorException(file, name, names);
        return info;
    }

    @Override
    public Path fileOf(String name) {
        info(name);
        return file;
    }

    @Override
    public TensorData tensor(String name) {
        TensorInfo info = info(name);
        return new TensorData(name, info.dtype(), info.shape(), data.asSlice(info.begin(), info.byteSize()));
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() {
        return "SafetensorsReader[" + file + ", " + names.size() + " tensors]";
    }
}
