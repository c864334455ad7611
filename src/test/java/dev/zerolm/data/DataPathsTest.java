package dev.zerolm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataPathsTest {

    @Test
    void searchOrderIsEnvThenHomeCacheThenSharedDataAboveWorkingDirThenAboveCode() {
        List<Path> roots = DataPaths.roots("/env/data", Path.of("/home/u"), Path.of("/work/wt/repo"),
                Optional.of(Path.of("/opt/zerolm/target")));
        assertThat(roots).startsWith(Path.of("/env/data"), Path.of("/home/u/.cache/zerolm"),
                Path.of("/work/wt/repo/shared/data"), Path.of("/work/wt/shared/data"), Path.of("/work/shared/data"));
        assertThat(roots).contains(Path.of("/opt/zerolm/target/shared/data"), Path.of("/opt/shared/data"));
        assertThat(roots).containsOnlyOnce(Path.of("/shared/data"));
    }

    @Test
    void unsetEnvironmentVariableIsNotARoot() {
        assertThat(DataPaths.roots(null, Path.of("/h"), Path.of("/w"), Optional.empty()))
                .containsExactly(Path.of("/h/.cache/zerolm"), Path.of("/w/shared/data"), Path.of("/shared/data"));
    }

    @Test
    void firstRootWithACompleteDirectoryWins(@TempDir Path tmp) throws IOException {
        Path first = tmp.resolve("first"), second = tmp.resolve("second");
        Files.createDirectories(first.resolve("brown"));                 // no cats.txt: incomplete, skipped
        Files.createDirectories(second.resolve("brown"));
        Files.writeString(second.resolve("brown/cats.txt"), "ca01 news\n");
        Files.createDirectories(first.resolve("gpt2-bpe"));
        Files.writeString(first.resolve("gpt2-bpe/encoder.json"), "{}");
        Files.writeString(first.resolve("gpt2-bpe/vocab.bpe"), "#version: 0.2\n");
        DataPaths paths = new DataPaths(List.of(first, second));
        assertThat(paths.brownDir()).isEqualTo(second.resolve("brown"));
        assertThat(paths.gpt2BpeDir()).isEqualTo(first.resolve("gpt2-bpe"));
    }

    @Test
    void missingDataErrorListsPlacesSearchedAndSuggestsFetch(@TempDir Path tmp) {
        DataPaths paths = new DataPaths(List.of(tmp.resolve("a"), tmp.resolve("b")));
        assertThatThrownBy(paths::brownDir)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(tmp.resolve("a/brown").toString())
                .hasMessageContaining(tmp.resolve("b/brown").toString())
                .hasMessageContaining("cats.txt")
                .hasMessageContaining("zerolm data fetch");
        assertThatThrownBy(paths::gpt2BpeDir).hasMessageContaining("encoder.json and vocab.bpe");
    }

    @Test
    void systemPathsFindTheSharedData() {
        assertThat(TestData.brownDir().resolve("cats.txt")).isRegularFile();
        assertThat(TestData.gpt2BpeDir().resolve("encoder.json")).isRegularFile();
    }
}
