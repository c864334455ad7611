package dev.zerolm.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * BERT's WordPiece tokenizer against tools/golden/make_bert_golden.py, an independent Python implementation of
 * BERT's BasicTokenizer + WordpieceTokenizer, over the tiny vocabulary in src/test/resources/hf/tiny-bert.
 */
class WordPieceTest {

    private static Path tinyBert;
    private static List<String> vocab;
    private static JsonNode golden;
    private static WordPiece uncased;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        tinyBert = Path.of(WordPieceTest.class.getResource("/hf/tiny-bert").toURI());
        vocab = WordPiece.readVocab(tinyBert.resolve("vocab.txt"));
        try (InputStream in = WordPieceTest.class.getResourceAsStream("/golden/bert_wordpiece.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        uncased = WordPiece.fromVocab(vocab, WordPieceConfig.uncased());
    }

    private static Map<String, WordPiece> tokenizersOfEverySetting() {
        Map<String, WordPiece> out = new LinkedHashMap<>();
        for (var e : (Iterable<Map.Entry<String, JsonNode>>) golden.get("settings")::fields) {
            JsonNode s = e.getValue();
            boolean lowercase = s.get("lowercase").asBoolean();
            boolean strip = s.get("strip_accents").isNull() ? lowercase : s.get("strip_accents").asBoolean();
            var config = WordPieceConfig.uncased().withNormalization(lowercase, strip, s.get("handle_chinese_chars").asBoolean());
            out.put(e.getKey(), WordPiece.fromVocab(vocab, config));
        }
        return out;
    }

    @Test
    void tokensAndIdsEqualTheReferenceImplementationInEverySetting() {
        Map<String, WordPiece> tokenizers = tokenizersOfEverySetting();
        assertThat(tokenizers).hasSize(5);
        assertThat(golden.get("cases").size()).isGreaterThan(150);
        for (JsonNode c : golden.get("cases")) {
            WordPiece tok = tokenizers.get(c.get("setting").asText());
            String text = c.get("text").asText();
            assertThat(tok.tokenize(text)).as("%s tokens of \"%s\"", c.get("setting").asText(), text)
                    .containsExactlyElementsOf(strings(c.get("tokens")));
            assertThat(tok.encode(text)).as("%s ids of \"%s\"", c.get("setting").asText(), text)
                    .containsExactly(ints(c.get("ids")));
        }
    }

    @Test
    void basicTokenizerWordsEqualTheReferenceImplementation() {
        Map<String, WordPiece> tokenizers = tokenizersOfEverySetting();
        for (JsonNode c : golden.get("cases")) {
            List<String> words = new ArrayList<>();
            tokenizers.get(c.get("setting").asText()).splitWords(c.get("text").asText(), (w, special) -> words.add(w));
            assertThat(words).as("%s words of \"%s\"", c.get("setting").asText(), c.get("text").asText())
                    .containsExactlyElementsOf(strings(c.get("basic")));
        }
    }

    @Test
    void normalisationExamples() {
        var lower = new BertBasicTokenizer(true, true, true);
        assertThat(lower.tokenize("Café naïve, İstanbul!")).containsExactly("cafe", "naive", ",", "istanbul", "!");
        assertThat(new BertBasicTokenizer(false, false, true).tokenize("Café我好")).containsExactly("Café", "我", "好");
        assertThat(new BertBasicTokenizer(false, false, false).tokenize("Café我好")).containsExactly("Café我好");
        assertThat(lower.tokenize("a\u0000b\u200bc\td")).containsExactly("abc", "d");
    }

    @Test
    void unknownWordsAndOverlongWordsBecomeUnk() {
        assertThat(uncased.tokenize("xylophone unaffable")).containsExactly("[UNK]", "un", "##aff", "##able");
        assertThat(uncased.tokenize("a".repeat(100))).hasSize(100);
        assertThat(uncased.tokenize("a".repeat(101))).containsExactly("[UNK]");
        // 100 code points outside the BMP are 200 chars, still one word of 100 characters
        var emoji = WordPiece.fromVocab(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "😀", "##😀"), WordPieceConfig.uncased());
        assertThat(emoji.tokenize("😀".repeat(100))).hasSize(100);
        assertThat(emoji.tokenize("😀".repeat(101))).containsExactly("[UNK]");
    }

    @Test
    void specialTokensInTheTextStayWhole() {
        assertThat(uncased.tokenize("the [MASK] sat")).containsExactly("the", "[MASK]", "sat");
        assertThat(uncased.tokenize("[mask]")).containsExactly("[UNK]", "[UNK]", "[UNK]");
        assertThat(uncased.encode("[CLS]the[SEP]")).containsExactly(uncased.clsId(), uncased.idOf("the"), uncased.sepId());
    }

    @Test
    void specialTokenIdsComeFromTheVocabulary() {
        assertThat(uncased.padId()).isEqualTo(0);
        assertThat(uncased.unkId()).isEqualTo(1);
        assertThat(uncased.clsId()).isEqualTo(2);
        assertThat(uncased.sepId()).isEqualTo(3);
        assertThat(uncased.maskId()).isEqualTo(4);
        assertThat(uncased.vocabSize()).isEqualTo(vocab.size());
        assertThat(uncased.isSpecial(4)).isTrue();
        assertThat(uncased.isSpecial(uncased.idOf("the"))).isFalse();
    }

    @Test
    void encodeForModelWrapsTheTextInClsAndSep() {
        Encoding e = uncased.encodeForModel("hello world!");
        assertThat(e.ids()).containsExactly(2, uncased.idOf("hello"), uncased.idOf("world"), uncased.idOf("!"), 3);
        assertThat(e.tokenTypeIds()).containsOnly(0);
        assertThat(e.attentionMask()).containsOnly(1);
        assertThat(uncased.encodeForModel("hello world!", 4).ids()).containsExactly(2, uncased.idOf("hello"), uncased.idOf("world"), 3);
    }

    @Test
    void encodePairGivesTheSecondSegmentTokenTypeOne() {
        Encoding e = uncased.encodePair("the cat", "sat on the mat");
        int the = uncased.idOf("the");
        assertThat(e.ids()).containsExactly(2, the, uncased.idOf("cat"), 3, uncased.idOf("sat"), uncased.idOf("on"), the,
                uncased.idOf("mat"), 3);
        assertThat(e.tokenTypeIds()).containsExactly(0, 0, 0, 0, 1, 1, 1, 1, 1);
    }

    @Test
    void pairTruncationDropsFromTheLongerPartFirst() {
        // 2 + 4 tokens, 3 specials, room for 4: the second part loses two, then the tie takes from the second again
        Encoding e = uncased.encodePair("the cat", "sat on the mat", 7);
        assertThat(e.ids()).containsExactly(2, uncased.idOf("the"), uncased.idOf("cat"), 3, uncased.idOf("sat"),
                uncased.idOf("on"), 3);
        Encoding shorter = uncased.encodePair("the cat", "sat on the mat", 5);
        assertThat(shorter.ids()).containsExactly(2, uncased.idOf("the"), 3, uncased.idOf("sat"), 3);
        assertThatThrownBy(() -> uncased.encodePair("a", "b", 2)).hasMessageContaining("maxLength 2");
    }

    @Test
    void padRightPadsWithPadIdAndMaskZero() {
        Encoding.Batch batch = uncased.pad(List.of(uncased.encodeForModel("the cat sat"), uncased.encodeForModel("hello")));
        assertThat(batch.inputIds().shape()).containsExactly(2, 5);
        assertThat(batch.inputIds().data()).containsExactly(2, uncased.idOf("the"), uncased.idOf("cat"), uncased.idOf("sat"), 3,
                2, uncased.idOf("hello"), 3, 0, 0);
        assertThat(batch.attentionMask().data()).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 0, 0);
        assertThat(batch.tokenTypeIds().data()).containsOnly(0);
    }

    @Test
    void decodeGluesContinuationPiecesToTheWordBefore() {
        assertThat(uncased.decode(uncased.encode("Unaffable RUNNING, runs"))).isEqualTo("unaffable running , runs");
        int[] withSpecials = uncased.encodeForModel("the cat").ids();
        assertThat(uncased.decode(withSpecials)).isEqualTo("[CLS] the cat [SEP]");
        assertThat(uncased.decode(withSpecials, true)).isEqualTo("the cat");
        assertThatThrownBy(() -> uncased.decode(new int[] {2, 999}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id 999 at position 1");
    }

    @Test
    void tokenizerJsonAndVocabTxtLoadTheSameTokenizer(@TempDir Path tmp) throws IOException {
        WordPiece fromJson = WordPiece.load(tinyBert);                        // tokenizer.json is read first
        Files.copy(tinyBert.resolve("vocab.txt"), tmp.resolve("vocab.txt"));
        Files.copy(tinyBert.resolve("tokenizer_config.json"), tmp.resolve("tokenizer_config.json"));
        WordPiece fromVocab = WordPiece.load(tmp);
        assertThat(fromJson.config()).isEqualTo(fromVocab.config()).isEqualTo(WordPieceConfig.uncased());
        assertThat(fromJson.vocabSize()).isEqualTo(fromVocab.vocabSize());
        for (JsonNode c : golden.get("cases")) {
            String text = c.get("text").asText();
            assertThat(fromJson.encode(text)).isEqualTo(fromVocab.encode(text)).isEqualTo(uncased.encode(text));
        }
    }

    @Test
    void tokenizerConfigOverridesTheNormalizerOfTokenizerJson(@TempDir Path tmp) throws IOException {
        Files.copy(tinyBert.resolve("tokenizer.json"), tmp.resolve("tokenizer.json"));
        Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"do_lower_case\": false}");
        WordPiece cased = WordPiece.load(tmp);
        assertThat(cased.config().lowercase()).isFalse();
        assertThat(cased.config().stripAccents()).isFalse();
        assertThat(cased.tokenize("Hello Café")).containsExactly("Hello", "Caf", "##é");
    }

    @Test
    void vocabTxtAloneLoadsAsUncasedLikeBertTokenizer(@TempDir Path tmp) throws IOException {
        Files.copy(tinyBert.resolve("vocab.txt"), tmp.resolve("vocab.txt"));
        assertThat(WordPiece.load(tmp).config()).isEqualTo(WordPieceConfig.uncased());
        assertThat(Tokenizer.load(tmp)).isInstanceOf(WordPiece.class);
    }

    @Test
    void saveThenLoadGivesTheSameTokenizer(@TempDir Path tmp) throws IOException {
        WordPiece cased = WordPiece.fromVocab(vocab, WordPieceConfig.cased().withMaxInputCharsPerWord(5));
        cased.save(tmp);
        assertThat(WordPiece.readVocab(tmp.resolve("vocab.txt"))).isEqualTo(vocab);
        Tokenizer back = Tokenizer.load(tmp);
        assertThat(back).isInstanceOf(WordPiece.class);
        assertThat(((WordPiece) back).config()).isEqualTo(cased.config());
        for (JsonNode c : golden.get("cases")) {
            String text = c.get("text").asText();
            assertThat(back.encode(text)).isEqualTo(cased.encode(text));
        }
        JsonNode hf = new ObjectMapper().readTree(tmp.resolve("tokenizer_config.json").toFile());
        assertThat(hf.get("tokenizer_class").asText()).isEqualTo("BertTokenizer");
        assertThat(hf.get("do_lower_case").asBoolean()).isFalse();
    }

    @Test
    void missingSpecialTokenIsNamedInTheError(@TempDir Path tmp) throws IOException {
        assertThatThrownBy(() -> WordPiece.fromVocab(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "a"), WordPieceConfig.uncased()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mask token \"[MASK]\"");
        Files.writeString(tmp.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n");
        Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"unk_token\": {\"content\": \"<unk>\"}}");
        assertThatThrownBy(() -> WordPiece.load(tmp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(tmp.resolve("vocab.txt").toString())
                .hasMessageContaining("unk token \"<unk>\"");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) out.add(n.asText());
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }
}
