package dev.zerolm.tokenize;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CharTokenizerTest {

    private final CharTokenizer tok = CharTokenizer.fromCorpus("hello world\nHELLO!");

    @Test
    void vocabularyIsSortedDistinctCharacters() {
        assertThat(tok.chars()).isEqualTo("\n !EHLOdehlorw");
        assertThat(tok.vocabSize()).isEqualTo(14);
        assertThat(tok.encode("\n !")).containsExactly(0, 1, 2);
    }

    @Test
    void decodeOfEncodeIsIdentity() {
        String text = "hello world\nHELLO!\nlow  rod";
        assertThat(tok.decode(tok.encode(text))).isEqualTo(text);
    }

    @Test
    void charactersOutsideTheBmpAreOneToken() {
        CharTokenizer t = CharTokenizer.fromCorpus("a😀b");
        assertThat(t.encode("😀a😀")).hasSize(3);
        assertThat(t.decode(t.encode("b😀a"))).isEqualTo("b😀a");
    }

    @Test
    void unknownCharacterErrorNamesCharacterAndPosition() {
        assertThatThrownBy(() -> tok.encode("hello, world"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("','")
                .hasMessageContaining("U+002C")
                .hasMessageContaining("index 5");
    }

    @Test
    void decodeRejectsIdOutsideVocabulary() {
        assertThatThrownBy(() -> tok.decode(new int[] {0, 14}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id 14 at position 1");
    }

    @Test
    void emptyCorpusIsRejected() {
        assertThatThrownBy(() -> CharTokenizer.fromCorpus(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }

    @Test
    void saveThenTokenizerLoadGivesSameIds(@TempDir Path dir) throws IOException {
        CharTokenizer t = CharTokenizer.fromCorpus("tab\there \"quotes\" \\ back 😀 é\n");
        t.save(dir);
        Tokenizer loaded = Tokenizer.load(dir);
        assertThat(loaded).isInstanceOf(CharTokenizer.class);
        assertThat(loaded.kind()).isEqualTo("char");
        assertThat(loaded.vocabSize()).isEqualTo(t.vocabSize());
        String text = "here \"tab\" 😀\té\\";
        assertThat(loaded.encode(text)).containsExactly(t.encode(text));
    }
}
