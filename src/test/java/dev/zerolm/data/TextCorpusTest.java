package dev.zerolm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextCorpusTest {

    @Test
    void lastTenPercentIsValidationByDefault(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("input.txt");
        Files.writeString(file, "0123456789".repeat(10));
        TextCorpus corpus = TextCorpus.load(file);
        assertThat(corpus.train()).hasSize(90).startsWith("0123");
        assertThat(corpus.valid()).isEqualTo("0123456789");
    }

    @Test
    void directoryIsReadRecursivelyInSortedPathOrder(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("b/inner"));
        Files.writeString(dir.resolve("b/inner/z.txt"), "3");
        Files.writeString(dir.resolve("b/a.txt"), "2");
        Files.writeString(dir.resolve("a.txt"), "1é");
        Files.writeString(dir.resolve("c"), "4");
        assertThat(TextCorpus.readText(dir)).isEqualTo("1é234");
    }

    @Test
    void cutNeverSplitsSurrogatePair() {
        TextCorpus corpus = TextCorpus.split("abcdefghi😀", 0.1); // cut at char 10 of 11 would split the emoji
        assertThat(corpus.train()).isEqualTo("abcdefghi");
        assertThat(corpus.valid()).isEqualTo("😀");
    }

    @Test
    void fractionOutsideZeroToOneIsRejected() {
        assertThatThrownBy(() -> TextCorpus.split("abc", 1.0)).hasMessageContaining("validFraction 1.0");
        assertThatThrownBy(() -> TextCorpus.split("abc", -0.1)).hasMessageContaining("validFraction -0.1");
    }

    @Test
    void missingPathIsAnError(@TempDir Path dir) {
        assertThatThrownBy(() -> TextCorpus.readText(dir.resolve("nope"))).isInstanceOf(IOException.class)
                .hasMessageContaining("nope");
    }
}
