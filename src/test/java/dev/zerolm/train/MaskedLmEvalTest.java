package dev.zerolm.train;

import dev.zerolm.models.Bert;
import dev.zerolm.tokenize.WordPiece;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaskedLmEvalTest {

    private static final Path TINY_BERT = Path.of("src/test/resources/hf/tiny-bert");
    private static final String TEXT = "the quick brown fox jumps over the lazy dog. ".repeat(12);

    @Test
    void masksAboutFifteenPercentAndIsReproducibleUnderASeed() throws IOException {
        Bert bert = Bert.fromPretrained(TINY_BERT);
        WordPiece tokenizer = WordPiece.load(TINY_BERT);
        int tokens = tokenizer.encode(TEXT).length;
        MaskedLmEval.Result a = MaskedLmEval.evaluate(bert, tokenizer, TEXT, 16, 3, 7);
        MaskedLmEval.Result b = MaskedLmEval.evaluate(bert, tokenizer, TEXT, 16, 3, 7);
        assertThat(a.windows()).isEqualTo((tokens + 13) / 14);                   // 14 tokens between [CLS] and [SEP]
        assertThat(a.maskedTokens()).isBetween((long) (0.05 * tokens), (long) (0.30 * tokens));
        assertThat(a.loss()).isFinite().isPositive();
        assertThat(a.perplexity()).isCloseTo(Math.exp(a.loss()), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(b.maskedTokens()).isEqualTo(a.maskedTokens());                 // the same positions
        assertThat(b.loss()).isCloseTo(a.loss(), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void aContextBeyondThePositionTableIsRefusedByName() throws IOException {
        Bert bert = Bert.fromPretrained(TINY_BERT);
        assertThatThrownBy(() -> MaskedLmEval.evaluate(bert, WordPiece.load(TINY_BERT), TEXT, 33, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("context 33 must be in [3, 32]");
    }
}
