package dev.zerolm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The --from path of DataFetch; the npm path needs the network and was checked by hand. */
class DataFetchTest {

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    private String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    private static Path smallSource(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("brown"));
        Files.writeString(dir.resolve("brown/cats.txt"), "ca01 news\n");
        Files.writeString(dir.resolve("brown/ca01"), "\tA/at dog/nn ./.\n");
        Files.writeString(dir.resolve("brown/README"), "readme");
        Files.createDirectories(dir.resolve("gpt2-bpe"));
        Files.writeString(dir.resolve("gpt2-bpe/encoder.json"), "{}");
        Files.writeString(dir.resolve("gpt2-bpe/vocab.bpe"), "#version: 0.2\n");
        Files.writeString(dir.resolve("gpt2-bpe/notes.txt"), "not copied");
        return dir;
    }

    @Test
    void fromCopiesBrownAndGpt2BpeIntoCache(@TempDir Path tmp) throws IOException {
        Path source = smallSource(tmp.resolve("source"));
        Path cache = tmp.resolve("cache");
        DataFetch.Result result = DataFetch.fetch(cache, Optional.of(source), log);

        assertThat(result.brownDir()).isEqualTo(cache.resolve("brown"));
        assertThat(cache.resolve("brown/ca01")).hasContent("\tA/at dog/nn ./.");
        assertThat(cache.resolve("brown/README")).exists();
        assertThat(cache.resolve("gpt2-bpe/encoder.json")).hasContent("{}");
        assertThat(cache.resolve("gpt2-bpe/notes.txt")).doesNotExist();
        assertThat(cache.resolve("brown.partial")).doesNotExist();
        assertThat(BrownCorpus.load(result.brownDir()).documents()).hasSize(1);
        assertThat(new DataPaths(java.util.List.of(cache)).gpt2BpeDir()).isEqualTo(result.gpt2BpeDir());
        assertThat(log()).contains("copied 3 files from").contains("copied 2 files from")
                .contains("differ from GPT-2's").contains("done");
    }

    @Test
    void completeDirectoriesAreKept(@TempDir Path tmp) throws IOException {
        Path source = smallSource(tmp.resolve("source"));
        Path cache = tmp.resolve("cache");
        DataFetch.fetch(cache, Optional.of(source), log);
        Files.writeString(source.resolve("brown/ca01"), "Changed/vbn ./.\n");
        DataFetch.fetch(cache, Optional.of(source), log);
        assertThat(cache.resolve("brown/ca01")).hasContent("\tA/at dog/nn ./.");
        assertThat(log()).contains("already has the Brown corpus; kept");
    }

    @Test
    void incompleteSourceIsAnErrorNamingIt(@TempDir Path tmp) throws IOException {
        Path source = smallSource(tmp.resolve("source"));
        Files.delete(source.resolve("brown/ca01"));
        assertThatThrownBy(() -> DataFetch.fetch(tmp.resolve("cache"), Optional.of(source), log))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(source.resolve("brown").toString());
    }

    @Test
    void fromRealSharedDataGivesGpt2OriginalFiles(@TempDir Path tmp) throws IOException {
        Path shared = TestData.brownDir().getParent();
        Path cache = tmp.resolve("cache");
        DataFetch.fetch(cache, Optional.of(shared), log);
        assertThat(DataFetch.isGpt2Original(cache.resolve("gpt2-bpe"))).isTrue();
        assertThat(log()).contains("are GPT-2's (SHA-256 checked)").contains("(500 documents)");
    }
}
