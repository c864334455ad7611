package dev.zerolm.models.hf;

import dev.zerolm.io.DType;
import org.junit.jupiter.api.Test;

import dev.zerolm.models.Bert;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static dev.zerolm.models.hf.HfTestDirs.TINY_GPT2;
import static dev.zerolm.models.hf.HfTestDirs.TINY_LLAMA;
import static org.assertj.core.api.Assertions.assertThat;

class HfModelInfoTest {

    @Test
    void gpt2CountsParametersWithoutTheMaskBuffers() throws IOException {
        HfModelInfo info = HfModelInfo.read(TINY_GPT2);
        assertThat(info.modelType()).isEqualTo("gpt2");
        assertThat(info.architecture()).isEqualTo("GPT2LMHeadModel");
        assertThat(info.parameters()).isEqualTo(HfModel.load(TINY_GPT2).model().parameterCount()).isEqualTo(22_008);
        assertThat(info.tensorsByType()).isEqualTo(Map.of(DType.F32, 30));
        assertThat(info.config()).contains("vocab 281", "context 32", "2 layers", "4 heads", "width 24", "tied lm_head");
        assertThat(info.tokenizer()).isEqualTo("byte-level BPE, 281 tokens, 24 merges");
    }

    @Test
    void llamaNamesItsGroupedHeadsAndUntiedHead() throws IOException {
        HfModelInfo info = HfModelInfo.read(TINY_LLAMA);
        assertThat(info.parameters()).isEqualTo(33_568);
        assertThat(info.config()).contains("4 heads (2 key/value, head dim 8)", "MLP 48", "rope theta 500000", "untied lm_head");
        assertThat(info.tokenizer()).contains("BOS <|begin_of_text|>");
    }

    @Test
    void bertCountsParametersWithoutThePositionIdsBuffer() throws IOException {
        Path tinyBert = Path.of("src/test/resources/hf/tiny-bert");
        HfModelInfo info = HfModelInfo.read(tinyBert);
        assertThat(info.modelType()).isEqualTo("bert");
        assertThat(info.parameters()).isEqualTo(Bert.fromPretrained(tinyBert).parameterCount());
        assertThat(info.tensorsByType()).isEqualTo(Map.of(DType.F32, 44, DType.I64, 1));
        assertThat(info.config()).contains("vocab 103", "2 layers", "4 heads", "width 32", "MLP 64");
        assertThat(info.tokenizer()).isEqualTo("WordPiece, 103 tokens, lower-cased");
    }
}
