package dev.zerolm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private String[] listing(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void writeStringCreatesMissingParentDirectories() throws Exception {
        Path target = dir.resolve("runs/exp1/config.json");
        AtomicFiles.writeString(target, "{\"n_layer\": 12} ü");
        assertThat(Files.readString(target)).isEqualTo("{\"n_layer\": 12} ü");
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporaryFile() throws Exception {
        Path target = dir.resolve("config.json");
        AtomicFiles.writeString(target, "old");
        AtomicFiles.writeString(target, "new");
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(listing(dir)).containsExactly("config.json");
    }

    @Test
    void failingBodyLeavesTheOriginalUntouched() throws Exception {
        Path target = dir.resolve("ckpt.bin");
        AtomicFiles.writeString(target, "good");
        assertThatThrownBy(() -> AtomicFiles.writeAtomically(target, out -> {
            out.write(new byte[1000]);
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Files.readString(target)).isEqualTo("good");
        assertThat(listing(dir)).containsExactly("ckpt.bin");
    }

    @Test
    void bodyMayCloseTheStreamItWasGiven() throws Exception {
        Path target = dir.resolve("closed.txt");
        AtomicFiles.writeAtomically(target, out -> {
            out.write("abc".getBytes());
            out.close();
        });
        assertThat(Files.readString(target)).isEqualTo("abc");
    }
}
