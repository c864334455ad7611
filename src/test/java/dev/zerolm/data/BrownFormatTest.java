package dev.zerolm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing and detokenizing on small hand-made files in NLTK's Brown format. */
class BrownFormatTest {

    @Test
    void tagIsSplitAtLastSlash() {
        assertThat(TaggedWord.parse("1/2/cd")).isEqualTo(new TaggedWord("1/2", "cd"));
        assertThat(TaggedWord.parse("Atlanta's/np$")).isEqualTo(new TaggedWord("Atlanta's", "np$"));
        assertThatThrownBy(() -> TaggedWord.parse("notag")).hasMessageContaining("'notag'");
    }

    @Test
    void indentedNonBlankLinesAreSentencesAndUnlistedFilesAreIgnored(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("cats.txt"), "ca01 news\ncb02 editorial\n");
        Files.writeString(dir.resolve("ca01"), "\n\n\tThe/at dog/nn ran/vbd ./.\n\n\n\tIt/pps stopped/vbd ./.\n");
        Files.writeString(dir.resolve("cb02"), "  Yes/rb ./.\n");
        Files.writeString(dir.resolve("README"), "not/a corpus/file at all");
        BrownCorpus corpus = BrownCorpus.load(dir);
        assertThat(corpus.documents()).extracting(BrownDocument::id).containsExactly("ca01", "cb02");
        assertThat(corpus.documents().getFirst().sentences()).hasSize(2);
        assertThat(corpus.genres()).containsExactly("editorial", "news");
        assertThat(BrownCorpus.text(corpus.documents())).isEqualTo("The dog ran.\nIt stopped.\n\nYes.\n");
    }

    @Test
    void punctuationAndQuotesAreJoinedSensibly() {
        List<TaggedWord> sentence = words("``/`` Stop/vb (/( now/rb )/) ,/, ''/'' he/pps said/vbd ;/. "
                + "it's/pps+bez 10/cd %/nn off/rp --/-- ok/uh ?/. !/.");
        assertThat(BrownDocument.sentenceText(sentence)).isEqualTo("\"Stop (now),\" he said; it's 10 % off -- ok?!");
    }

    @Test
    void fileListedInCatsButMissingIsAnError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("cats.txt"), "ca01 news\n");
        assertThatThrownBy(() -> BrownCorpus.load(dir)).isInstanceOf(IOException.class).hasMessageContaining("ca01");
    }

    @Test
    void malformedTokenErrorNamesFileAndLine(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("cats.txt"), "ca01 news\n");
        Files.writeString(dir.resolve("ca01"), "Fine/jj ./.\n\nbroken ./.\n");
        assertThatThrownBy(() -> BrownCorpus.load(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("ca01:3").hasMessageContaining("'broken'");
    }

    @Test
    void directoryWithoutCatsTxtIsRejected(@TempDir Path dir) {
        assertThatThrownBy(() -> BrownCorpus.load(dir)).isInstanceOf(IOException.class).hasMessageContaining("cats.txt");
    }

    @Test
    void everyTenthIndexIsValidation() {
        assertThat(BrownCorpus.isValidation(9)).isTrue();
        assertThat(BrownCorpus.isValidation(19)).isTrue();
        assertThat(BrownCorpus.isValidation(0)).isFalse();
        assertThat(BrownCorpus.isValidation(10)).isFalse();
    }

    private static List<TaggedWord> words(String tokens) {
        return java.util.Arrays.stream(tokens.split(" ")).map(TaggedWord::parse).toList();
    }
}
