package dev.zerolm.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** A safetensors file (or shard index) that breaks the format; the message names the file and, if any, the tensor. */
public final class SafetensorsException extends IOException {

    private final transient Path file;
    private final String tensor;

    public SafetensorsException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public SafetensorsException(Path file, String tensor, String problem, Throwable cause) {
        super(file + ": " + (tensor == null ? "" : "tensor '" + tensor + "': ") + problem, cause);
        this.file = file;
        this.tensor = tensor;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }

    /** The offending tensor, when the problem belongs to one. */
    public Optional<String> tensor() {
        return Optional.ofNullable(tensor);
    }
}
