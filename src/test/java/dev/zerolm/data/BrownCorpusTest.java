package dev.zerolm.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The real NLTK Brown corpus from shared/data. */
class BrownCorpusTest {

    private static BrownCorpus brown;

    @BeforeAll
    static void load() throws IOException {
        brown = BrownCorpus.load(TestData.brownDir());
    }

    @Test
    void loads500DocumentsIn15Genres() {
        assertThat(brown.documents()).hasSize(500);
        assertThat(brown.genres()).hasSize(15).contains("news", "fiction", "learned", "science_fiction");
        assertThat(brown.documents().getFirst().id()).isEqualTo("ca01");
        assertThat(brown.documents().getFirst().genre()).isEqualTo("news");
        assertThat(brown.documents().getLast().id()).isEqualTo("cr09");
        int tokens = brown.documents().stream().mapToInt(BrownDocument::wordCount).sum();
        assertThat(tokens).isEqualTo(1_161_192);
    }

    @Test
    void validationIsEveryTenthDocumentAndDisjointFromTraining() {
        List<BrownDocument> train = brown.trainDocs(), valid = brown.validDocs();
        assertThat(valid).hasSize(50);
        assertThat(train).hasSize(450);
        assertThat(valid.getFirst().id()).isEqualTo("ca10");
        assertThat(valid.get(1).id()).isEqualTo("ca20");
        Set<String> trainIds = new HashSet<>();
        train.forEach(d -> trainIds.add(d.id()));
        assertThat(valid).noneMatch(d -> trainIds.contains(d.id()));
        assertThat(trainIds.size() + valid.size()).isEqualTo(500);
    }

    @Test
    void splitIsStableAcrossLoads() throws IOException {
        BrownCorpus again = BrownCorpus.load(TestData.brownDir());
        assertThat(again.validDocs().stream().map(BrownDocument::id).toList())
                .isEqualTo(brown.validDocs().stream().map(BrownDocument::id).toList());
    }

    @Test
    void firstSentenceReadsAsPlainEnglish() {
        String text = brown.documents().getFirst().text();
        assertThat(text.lines().findFirst()).hasValue("The Fulton County Grand Jury said Friday an investigation of"
                + " Atlanta's recent primary election produced \"no evidence\" that any irregularities took place.");
    }

    @Test
    void trainAndValidTextHaveOneBlankLineBetweenDocuments() {
        String valid = brown.validText();
        assertThat(valid.split("\n\n", -1)).hasSize(50);
        assertThat(brown.trainText().length()).isGreaterThan(8 * valid.length());
    }
}
