package dev.zerolm.io;

import java.io.IOException;

/** A consumer that may throw IOException, e.g. a body that writes a file's content to a stream. */
@FunctionalInterface
public interface IOConsumer<T> {
    void accept(T value) throws IOException;
}
