package dev.zerolm.data;

import dev.zerolm.tokenize.ByteLevelBpe;
import dev.zerolm.tokenize.CharTokenizer;
import dev.zerolm.tokenize.WordPiece;
import dev.zerolm.tokenize.WordPieceConfig;
import dev.zerolm.tokenize.WordVocabulary;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.zerolm.data.TokenExample.IGNORE;
import static org.assertj.core.api.Assertions.assertThat;

/** First-subword label alignment and truncation for each tokenizer family. */
class ExampleEncoderTest {

    private static final WordPiece WORDPIECE = WordPiece.fromVocab(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "the", "un", "##aff", "##able", "dog", "-", "end"), WordPieceConfig.uncased());

    @Test
    void wordPieceLabelsTheFirstPieceOfEachWord() {
        TokenExample e = ExampleEncoder.of(WORDPIECE, 32).encodeWords(List.of("The", "unaffable", "dog"), new int[] {7, 8, 9});
        //                          [CLS] the un ##aff ##able dog [SEP]
        assertThat(e.ids()).containsExactly(2, 5, 6, 7, 8, 9, 3);
        assertThat(e.labels()).containsExactly(IGNORE, 7, 8, IGNORE, IGNORE, 9, IGNORE);
        assertThat(e.wordIds()).containsExactly(-1, 0, 1, 1, 1, 2, -1);
        assertThat(e.wordsKept()).isEqualTo(3);
    }

    @Test
    void wordThatBasicTokenizationSplitsKeepsOneLabel() {
        TokenExample e = ExampleEncoder.of(WORDPIECE, 32).encodeWords(List.of("the-end", "zebra"), new int[] {1, 2});
        assertThat(e.ids()).containsExactly(2, 5, 10, 11, 1, 3);          // the - end, zebra -> [UNK]
        assertThat(e.labels()).containsExactly(IGNORE, 1, IGNORE, IGNORE, 2, IGNORE);
    }

    @Test
    void truncationKeepsSepAndDropsLateWords() {
        TokenExample e = ExampleEncoder.of(WORDPIECE, 5).encodeWords(List.of("the", "unaffable", "dog"), new int[] {0, 1, 2});
        assertThat(e.ids()).containsExactly(2, 5, 6, 7, 3);
        assertThat(e.labels()).containsExactly(IGNORE, 0, 1, IGNORE, IGNORE);
        assertThat(e.wordsKept()).isEqualTo(2);
        assertThat(e.wordCount()).isEqualTo(3);
    }

    @Test
    void byteLevelBpeEncodesEachWordWithALeadingSpace() {
        ByteLevelBpe bpe = ByteLevelBpe.train("the dog and the cat and the unaffable dog ".repeat(20), 280);
        ExampleEncoder enc = ExampleEncoder.of(bpe, 64);
        TokenExample e = enc.encodeWords(List.of("the", "unaffable", "dog"), new int[] {3, 4, 5});
        int[] the = bpe.encode(" the"), un = bpe.encode(" unaffable"), dog = bpe.encode(" dog");
        assertThat(e.length()).isEqualTo(the.length + un.length + dog.length);
        assertThat(e.ids()[0]).isEqualTo(the[0]);
        assertThat(e.labels()[0]).isEqualTo(3);
        assertThat(e.labels()[the.length]).isEqualTo(4);
        assertThat(e.labels()[the.length + un.length]).isEqualTo(5);
        assertThat(Arrays.stream(e.labels()).filter(l -> l != IGNORE).count()).isEqualTo(3);
        assertThat(enc.padId()).isEqualTo(bpe.endOfTextId().getAsInt());
    }

    @Test
    void charTokenizerLabelsFirstCharacterAndSpacesBelongToNoWord() {
        CharTokenizer chars = CharTokenizer.fromCorpus("ab cd");
        TokenExample e = ExampleEncoder.of(chars, 16).encodeWords(List.of("ab", "c"), new int[] {1, 2});
        assertThat(chars.decode(e.ids())).isEqualTo("ab c");
        assertThat(e.labels()).containsExactly(1, IGNORE, IGNORE, 2);
        assertThat(e.wordIds()).containsExactly(0, 0, -1, 1);
    }

    @Test
    void taggedSentenceAndTextExamplesUseTheLabelVocabulary() {
        WordPiece words = WordVocabulary.build(List.of("the dog barks", "the cat"), WordVocabulary.Options.defaults().withMinFrequency(1));
        ExampleEncoder enc = ExampleEncoder.of(words, 8);
        LabelVocab tags = LabelVocab.withUnknown(List.of("at", "nn"));
        TokenExample t = enc.encode(new TaggedSentence(List.of("The", "dog", "barks"), List.of("at", "nn", "vbz"), "x"), tags);
        assertThat(t.labels()).containsExactly(IGNORE, 0, 1, 2, IGNORE);     // vbz unseen: <unk-tag> = 2
        SequenceExample s = enc.encode(new TextExample("the cat", "pos", "y"), LabelVocab.closed(List.of("neg", "pos")));
        assertThat(s.ids()).containsExactly(words.clsId(), words.idOf("the"), words.idOf("cat"), words.sepId());
        assertThat(s.label()).isEqualTo(1);
        assertThat(enc.encodeText("the dog the dog the dog the dog")).hasSize(8);
    }
}
