package dev.zerolm.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The Brown POS and genre tasks on the real corpus: the split, the tag set, passages, the baseline. */
class BrownTasksTest {

    private static BrownCorpus brown;

    @BeforeAll
    static void load() throws IOException {
        brown = BrownCorpus.load(TestData.brownDir());
    }

    private static Set<String> sources(List<?> items) {
        return items.stream().map(i -> i instanceof TaggedSentence s ? s.source() : ((TextExample) i).source())
                .collect(Collectors.toSet());
    }

    @Test
    void posSentencesComeFromDisjointDocumentsWithNormalisedTags() {
        TaggingData pos = BrownPos.load(brown, BrownTags.TagSet.FULL);
        assertThat(TaggingData.wordCount(pos.train()) + TaggingData.wordCount(pos.valid())).isEqualTo(1_161_192);
        assertThat(sources(pos.train())).doesNotContainAnyElementsOf(sources(pos.valid()));
        assertThat(sources(pos.valid())).hasSize(50);
        assertThat(pos.labels().names()).contains("nn", "pps+bez", "np$").noneMatch(t -> t.endsWith("-tl") || t.startsWith("fw-"));
        assertThat(pos.labels().size()).isBetween(80, 200);
        TaggedSentence first = pos.train().getFirst();
        assertThat(first.words().subList(0, 3)).containsExactly("The", "Fulton", "County");
        assertThat(first.tags().subList(0, 3)).containsExactly("at", "np", "nn");
    }

    @Test
    void universalTagSetHasTwelveClasses() {
        TaggingData pos = BrownPos.load(brown, BrownTags.TagSet.UNIVERSAL);
        assertThat(pos.labels().names()).hasSize(13).contains("NOUN", "VERB", ".", "X", LabelVocab.UNKNOWN);
    }

    @Test
    void genrePassagesAreCutPerDocumentAndSplitByDocument() {
        ClassificationData genre = BrownGenre.load(brown, 128);
        assertThat(genre.labels().size()).isEqualTo(15);
        assertThat(sources(genre.train())).doesNotContainAnyElementsOf(sources(genre.valid()));
        assertThat(sources(genre.train())).hasSize(450);
        assertThat(genre.valid()).allSatisfy(e -> assertThat(e.text().split(" ").length).isLessThanOrEqualTo(128 + 10));
        assertThat(genre.train().getFirst().label()).isEqualTo("news");
        assertThat(genre.train().size()).isGreaterThan(1_000_000 / 128);
    }

    @Test
    void mostFrequentTagBaselineIsAboutNinetyPercent() {
        TaggingData pos = BrownPos.load(brown, BrownTags.TagSet.FULL);
        MostFrequentTagBaseline baseline = new MostFrequentTagBaseline(pos.train());
        MostFrequentTagBaseline.Accuracy acc = baseline.evaluate(pos.valid());
        assertThat(baseline.mostFrequentTag()).isEqualTo("nn");
        assertThat(acc.total()).isEqualTo(TaggingData.wordCount(pos.valid()));
        assertThat(acc.accuracy()).isBetween(0.85, 0.95);
    }
}
