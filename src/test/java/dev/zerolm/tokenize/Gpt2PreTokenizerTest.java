package dev.zerolm.tokenize;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;

import static org.assertj.core.api.Assertions.assertThat;

class Gpt2PreTokenizerTest {

    @Test
    void splitsContractionsWordsNumbersAndSpacesLikeGpt2() {
        assertThat(Gpt2PreTokenizer.split("I'm here  in 2024!! \n\nok  "))
                .containsExactly("I", "'m", " here", " ", " in", " 2024", "!!", " \n", "\n", "ok", "  ");
    }

    @Test
    void spaceBeforeApostropheIsPunctuationNotContraction() {
        assertThat(Gpt2PreTokenizer.split("they 'll 'S")).containsExactly("they", " '", "ll", " '", "S");
    }

    @Test
    void scannerMatchesGpt2RegexOnRandomText() {
        // Characters from every class the regex distinguishes, including non-ASCII letters, numbers and spaces.
        int[] alphabet = "ab Z'srtvelmd0 9\n\t\r.,!?-\u00a0\u0085\u2003\u3000é中😀²Ⅻ٣\u0301\u200d_\"".codePoints().toArray();
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 2000; trial++) {
            StringBuilder sb = new StringBuilder();
            int length = rng.nextInt(30);
            for (int i = 0; i < length; i++) sb.appendCodePoint(alphabet[rng.nextInt(alphabet.length)]);
            String text = sb.toString();
            assertThat(Gpt2PreTokenizer.split(text)).as("pieces of %s", text).isEqualTo(regexPieces(text));
        }
    }

    private static List<String> regexPieces(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = Gpt2PreTokenizer.REGEX.matcher(text);
        while (m.find()) pieces.add(m.group());
        return pieces;
    }
}
