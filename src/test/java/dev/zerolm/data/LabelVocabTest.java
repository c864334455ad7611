package dev.zerolm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelVocabTest {

    @Test
    void idsFollowSortedDistinctTrainingLabels() {
        LabelVocab v = LabelVocab.closed(List.of("nn", "at", "nn", "vb"));
        assertThat(v.names()).containsExactly("at", "nn", "vb");
        assertThat(v.id("vb")).isEqualTo(2);
        assertThat(v.name(1)).isEqualTo("nn");
        assertThat(v.unknownId()).isEqualTo(-1);
    }

    @Test
    void integerLabelsSortNumerically() {
        assertThat(LabelVocab.closed(List.of("10", "2", "1")).names()).containsExactly("1", "2", "10");
    }

    @Test
    void unseenLabelMapsToUnknownWhenTheVocabularyHasOne() {
        LabelVocab v = LabelVocab.withUnknown(List.of("nn", "at"));
        assertThat(v.size()).isEqualTo(3);
        assertThat(v.unknownId()).isEqualTo(2);
        assertThat(v.id("fw")).isEqualTo(2);
        assertThat(v.name(2)).isEqualTo(LabelVocab.UNKNOWN);
        assertThat(v.contains("fw")).isFalse();
    }

    @Test
    void unseenLabelIsAnErrorInAClosedVocabulary() {
        assertThatThrownBy(() -> LabelVocab.closed(List.of("a")).id("b")).hasMessageContaining("'b'");
    }

    @Test
    void saveThenLoadKeepsIdsAndUnknown(@TempDir Path dir) throws Exception {
        LabelVocab v = LabelVocab.withUnknown(List.of("x", "y"));
        v.save(dir.resolve("labels.json"));
        LabelVocab back = LabelVocab.load(dir.resolve("labels.json"));
        assertThat(back.names()).isEqualTo(v.names());
        assertThat(back.unknownId()).isEqualTo(2);
    }
}
