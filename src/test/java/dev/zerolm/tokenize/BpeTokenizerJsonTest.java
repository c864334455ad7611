package dev.zerolm.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.data.TestData;
import dev.zerolm.testutil.GoldenFile;
import dev.zerolm.testutil.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hugging Face tokenizer files: tokenizer.json (Llama 3 style) and vocab.json + merges.txt (GPT-2). */
class BpeTokenizerJsonTest {

    private static final Path LLAMA_JSON = TestResources.path("hf/tiny-llama/tokenizer.json");

    @Test
    void llamaStyleTokenizerJsonEncodesAsThePythonReference() throws IOException {
        GoldenFile g = GoldenFile.load("hf_llama.safetensors");
        ByteLevelBpe bpe = BpeTokenizerJson.read(LLAMA_JSON);
        String text = g.meta("tokenizer.text");
        assertThat(text).contains("12345").contains("DIDN'T").contains("<|end_of_text|>");
        assertThat(bpe.encode(text)).containsExactly(g.ints("tokenizer.ids"));
        assertThat(bpe.decode(bpe.encode(text))).isEqualTo(text);
    }

    @Test
    void gpt2VocabJsonAndMergesTxtEncodeAsThePythonReference() throws IOException {
        GoldenFile g = GoldenFile.load("hf_gpt2.safetensors");
        Path dir = TestResources.path("hf/tiny-gpt2");
        ByteLevelBpe bpe = ByteLevelBpe.fromFiles(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
        assertThat(bpe.encode(g.meta("tokenizer.text"))).containsExactly(g.ints("tokenizer.ids"));
    }

    @Test
    void addedTokensAreMatchedWholeAndTheTemplateNamesTheBosToken() throws IOException {
        ByteLevelBpe bpe = BpeTokenizerJson.read(LLAMA_JSON);
        int bos = bpe.vocabSize() - 2, eos = bpe.vocabSize() - 1;
        assertThat(bpe.bosId()).hasValue(bos);
        assertThat(bpe.encode("<|begin_of_text|>a<|end_of_text|>")).containsExactly(bos, bpe.encode("a")[0], eos);
        assertThat(bpe.decode(new int[] {eos})).isEqualTo("<|end_of_text|>");
    }

    @Test
    void llamaRegexSplitsDigitsInThreesUnlikeGpt2() throws IOException {
        ByteLevelBpe llama = BpeTokenizerJson.read(LLAMA_JSON);
        assertThat(llama.options().pattern()).isNotNull();
        // \p{N}{1,3}: "12345" becomes "123" + "45", and the space before stays its own piece.
        assertThat(decodeEach(llama, llama.encode(" 12345"))).containsExactly(" ", "1", "2", "3", "4", "5");
        assertThat(pieces(llama, "x 12345")).containsExactly("x", " ", "123", "45");
    }

    @Test
    void mergesWrittenAsStringsReadTheSameAsPairs(@TempDir Path tmp) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(LLAMA_JSON.toFile());
        ArrayNode merges = (ArrayNode) root.path("model").path("merges");
        ArrayNode strings = json.createArrayNode();
        merges.forEach(pair -> strings.add(pair.get(0).asText() + " " + pair.get(1).asText()));
        ((ObjectNode) root.path("model")).set("merges", strings);
        Path file = tmp.resolve("tokenizer.json");
        json.writeValue(file.toFile(), root);
        ByteLevelBpe pairs = BpeTokenizerJson.read(LLAMA_JSON), lines = BpeTokenizerJson.read(file);
        String text = "The fox and the dog meet at the river, 2024.";
        assertThat(lines.encode(text)).containsExactly(pairs.encode(text));
        assertThat(lines.mergeCount()).isEqualTo(pairs.mergeCount()).isGreaterThan(10);
    }

    @Test
    void writeThenReadGivesTheSameTokenizer(@TempDir Path tmp) throws IOException {
        ByteLevelBpe original = BpeTokenizerJson.read(LLAMA_JSON);
        original.save(tmp);
        assertThat(tmp.resolve("tokenizer.json")).exists();
        ByteLevelBpe again = (ByteLevelBpe) Tokenizer.load(tmp);
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 100; i++) {
            String text = RandomText.unicode(rng, rng.nextInt(40)) + "<|end_of_text|> the fox 123456";
            assertThat(again.encode(text)).containsExactly(original.encode(text));
        }
        assertThat(again.bosId()).isEqualTo(original.bosId());
    }

    @Test
    void gpt2FilesConvertToATokenizerJsonWithTheSameIds(@TempDir Path tmp) throws IOException {
        ByteLevelBpe gpt2 = ByteLevelBpe.load(TestData.gpt2BpeDir());
        BpeTokenizerJson.write(gpt2, tmp.resolve("tokenizer.json"));
        ByteLevelBpe again = BpeTokenizerJson.read(tmp.resolve("tokenizer.json"));
        String text = "Hello world, it's 2024!  Ünïcödé ✓ and\nnew lines\t tabs";
        assertThat(again.encode(text)).containsExactly(gpt2.encode(text));
        assertThat(again.vocabSize()).isEqualTo(50257);
    }

    @Test
    void sentencePieceStyleAndWordPieceFilesAreRefusedWithTheReason(@TempDir Path tmp) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(LLAMA_JSON.toFile());
        ((ObjectNode) root.path("model")).put("byte_fallback", true);
        Path file = tmp.resolve("sp.json");
        json.writeValue(file.toFile(), root);
        assertThatThrownBy(() -> BpeTokenizerJson.read(file)).hasMessageContaining("sp.json").hasMessageContaining("byte_fallback");
        ((ObjectNode) root.path("model")).put("type", "WordPiece");
        json.writeValue(file.toFile(), root);
        assertThatThrownBy(() -> BpeTokenizerJson.read(file)).hasMessageContaining("model type 'WordPiece'");
        Files.writeString(file, "{not json");
        assertThatThrownBy(() -> BpeTokenizerJson.read(file)).hasMessageContaining("not valid JSON");
    }

    private static String[] decodeEach(ByteLevelBpe bpe, int[] ids) {
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = bpe.decode(new int[] {ids[i]});
        return out;
    }

    private static java.util.List<String> pieces(ByteLevelBpe bpe, String text) {
        java.util.List<String> out = new java.util.ArrayList<>();
        bpe.options().split(text, (s, e) -> out.add(text.substring(s, e)));
        return out;
    }
}
