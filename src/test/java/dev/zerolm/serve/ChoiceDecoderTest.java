package dev.zerolm.serve;

import dev.zerolm.tokenize.CharTokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChoiceDecoderTest {

    private static final CharTokenizer TOK = CharTokenizer.fromCorpus("abcdefgh XYZ\n");

    private static String feed(ChoiceDecoder d, String text) {
        StringBuilder out = new StringBuilder();
        for (int id : TOK.encode(text)) {
            if (d.stopped()) break;
            out.append(d.accept(id));
        }
        return out.append(d.flush()).toString();
    }

    @Test
    void textBeforeTheStopStringIsEmittedAndTheStopStringIsNot() {
        ChoiceDecoder d = new ChoiceDecoder(TOK, List.of("\nX"));
        assertThat(feed(d, "abc\nXYZ")).isEqualTo("abc");
        assertThat(d.stopped()).isTrue();
        assertThat(d.tokenCount()).isEqualTo(5);
    }

    @Test
    void aHeldBackPrefixOfAStopStringIsReleasedWhenItDoesNotComplete() {
        ChoiceDecoder d = new ChoiceDecoder(TOK, List.of("XYZ"));
        StringBuilder streamed = new StringBuilder();
        for (int id : TOK.encode("abXY")) streamed.append(d.accept(id));
        assertThat(streamed.toString()).isEqualTo("ab");        // "XY" may still become "XYZ"
        assertThat(d.flush()).isEqualTo("XY");
        assertThat(d.stopped()).isFalse();
        assertThat(d.text()).isEqualTo("abXY");
    }

    @Test
    void withoutStopStringsEveryTokenIsEmittedAtOnce() {
        ChoiceDecoder d = new ChoiceDecoder(TOK, List.of());
        assertThat(d.accept(TOK.encode("a")[0])).isEqualTo("a");
        assertThat(d.accept(TOK.encode("b")[0])).isEqualTo("b");
    }
}
