package dev.zerolm.tokenize;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BpeTrainingTest {

    private static final String CORPUS = """
            The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.
            She sells sea shells by the sea shore, and the shells she sells are sea shells.
            Café naïve résumé — 東京 and 😀 emoji appear too, 12345 times 678.
            """.repeat(20);

    @Test
    void vocabularyHasRequestedSizeWithEndOfTextLast() {
        ByteLevelBpe bpe = ByteLevelBpe.train(CORPUS, 320);
        assertThat(bpe.vocabSize()).isEqualTo(320);
        assertThat(bpe.endOfTextId()).hasValue(319);
        assertThat(bpe.mergeCount()).isGreaterThanOrEqualTo(320 - 257);
    }

    @Test
    void mostFrequentPairIsMergedFirst() {
        ByteLevelBpe bpe = ByteLevelBpe.train("ab ab ab ab cd cd", 258);
        assertThat(bpe.mergeCount()).isEqualTo(1);
        // pieces: "ab", " ab" x3, " cd" x2; pair "ab" occurs 4 times, " a" 3, " c" and "cd" twice
        assertThat(bpe.tokenString(256)).isEqualTo("ab");
    }

    @Test
    void mergesShortenEncodingOfTrainingText() {
        ByteLevelBpe bpe = ByteLevelBpe.train(CORPUS, 400);
        int bytes = CORPUS.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        assertThat(bpe.encode(CORPUS).length).isLessThan(bytes / 2);
    }

    @Test
    void trainingIsDeterministic() {
        assertThat(ByteLevelBpe.train(CORPUS, 350).encode(CORPUS))
                .containsExactly(ByteLevelBpe.train(CORPUS, 350).encode(CORPUS));
    }

    @Test
    void decodeOfEncodeIsIdentityOnRandomUnicode() {
        ByteLevelBpe bpe = ByteLevelBpe.train(CORPUS, 350);
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            String text = RandomText.unicode(rng, rng.nextInt(60));
            assertThat(bpe.decode(bpe.encode(text))).isEqualTo(text);
        }
    }

    @Test
    void saveThenLoadGivesSameIds(@TempDir Path dir) throws IOException {
        ByteLevelBpe bpe = ByteLevelBpe.train(CORPUS, 360);
        bpe.save(dir);
        assertThat(dir.resolve("encoder.json")).exists();
        assertThat(Files.readAllLines(dir.resolve("vocab.bpe")).getFirst()).isEqualTo("#version: 0.2");

        Tokenizer viaConfig = Tokenizer.load(dir);
        ByteLevelBpe viaGpt2Files = ByteLevelBpe.load(dir);
        String text = CORPUS + " unseen wörds 🤖 and\n\n  spaces ";
        int[] expected = bpe.encode(text);
        assertThat(viaConfig).isInstanceOf(ByteLevelBpe.class);
        assertThat(viaConfig.vocabSize()).isEqualTo(360);
        assertThat(viaConfig.encode(text)).containsExactly(expected);
        assertThat(viaGpt2Files.encode(text)).containsExactly(expected);
        assertThat(viaConfig.decode(expected)).isEqualTo(text);
    }

    @Test
    void tinyCorpusStopsWhenNoPairsAreLeft() {
        ByteLevelBpe bpe = ByteLevelBpe.train("abc", 1000);
        assertThat(bpe.mergeCount()).isEqualTo(2);
        assertThat(bpe.vocabSize()).isEqualTo(256 + 2 + 1);
        assertThat(bpe.encode("abc")).hasSize(1);
    }

    @Test
    void vocabularySmallerThanBytesPlusEndOfTextIsRejected() {
        assertThatThrownBy(() -> ByteLevelBpe.train(CORPUS, 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabSize 100");
    }
}
