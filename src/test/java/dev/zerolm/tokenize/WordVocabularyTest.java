package dev.zerolm.tokenize;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WordVocabularyTest {

    private static final List<String> TEXTS = List.of("The cat sat.", "the cat ran", "A dog sat on the mat!");

    @Test
    void specialsComeFirstThenWordsByFrequency() {
        WordPiece wp = WordVocabulary.build(TEXTS, WordVocabulary.Options.defaults().withMinFrequency(1));
        assertThat(wp.padId()).isZero();
        assertThat(wp.unkId()).isEqualTo(1);
        assertThat(wp.clsId()).isEqualTo(2);
        assertThat(wp.sepId()).isEqualTo(3);
        assertThat(wp.maskId()).isEqualTo(4);
        assertThat(wp.tokenString(5)).isEqualTo("the");          // 3 times
        assertThat(wp.tokenString(6)).isEqualTo("cat");          // 2 times, before "sat" alphabetically
        assertThat(wp.tokenString(7)).isEqualTo("sat");
    }

    @Test
    void wordsBelowMinFrequencyBecomeUnknown() {
        WordPiece wp = WordVocabulary.build(TEXTS, WordVocabulary.Options.defaults());
        assertThat(wp.tokenize("The cat saw a dog")).containsExactly("the", "cat", "[UNK]", "[UNK]", "[UNK]");
        assertThat(wp.idOf("dog")).isEqualTo(-1);
    }

    @Test
    void casedVocabularyKeepsCase() {
        WordPiece wp = WordVocabulary.build(TEXTS, WordVocabulary.Options.defaults().withLowercase(false).withMinFrequency(1));
        assertThat(wp.tokenize("The the")).containsExactly("The", "the");
    }

    @Test
    void maxSizeKeepsTheMostFrequentWords() {
        WordPiece wp = WordVocabulary.build(TEXTS, WordVocabulary.Options.defaults().withMinFrequency(1).withMaxSize(7));
        assertThat(wp.vocabSize()).isEqualTo(7);
        assertThat(wp.tokenize("the cat sat")).containsExactly("the", "cat", "[UNK]");
    }

    @Test
    void characterFallbackSpellsUnknownWords() {
        WordPiece wp = WordVocabulary.build(TEXTS, WordVocabulary.Options.defaults().withCharacterFallback(true));
        assertThat(wp.tokenize("the mad cat")).containsExactly("the", "m", "##a", "##d", "cat");
    }

    @Test
    void savedVocabularyLoadsAsTheSameTokenizer(@TempDir Path dir) throws Exception {
        WordPiece wp = WordVocabulary.build(TEXTS, WordVocabulary.Options.defaults().withMinFrequency(1));
        wp.save(dir);
        Tokenizer back = Tokenizer.load(dir);
        assertThat(back.encode("The dog sat on a log.")).containsExactly(wp.encode("The dog sat on a log."));
        assertThat(back.vocabSize()).isEqualTo(wp.vocabSize());
    }

    @Test
    void tooSmallMaxSizeIsRejected() {
        assertThatThrownBy(() -> WordVocabulary.Options.defaults().withMaxSize(5)).hasMessageContaining("max size 5");
    }
}
