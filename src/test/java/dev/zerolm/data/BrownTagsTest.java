package dev.zerolm.data;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrownTagsTest {

    @Test
    void titleHeadlineAndCitedSuffixesAreRemoved() {
        assertThat(BrownTags.normalize("nn-tl")).isEqualTo("nn");
        assertThat(BrownTags.normalize("np-hl")).isEqualTo("np");
        assertThat(BrownTags.normalize("jj-nc")).isEqualTo("jj");
        assertThat(BrownTags.normalize("nn-tl-hl")).isEqualTo("nn");
        assertThat(BrownTags.normalize("vbn-tl-nc")).isEqualTo("vbn");
        assertThat(BrownTags.normalize("nn$-tl")).isEqualTo("nn$");
    }

    @Test
    void foreignWordPrefixIsRemoved() {
        assertThat(BrownTags.normalize("fw-nn")).isEqualTo("nn");
        assertThat(BrownTags.normalize("fw-jj-tl")).isEqualTo("jj");
        assertThat(BrownTags.normalize("fw-*")).isEqualTo("*");
    }

    @Test
    void compoundTagsAreKeptWholeWithEachPartNormalised() {
        assertThat(BrownTags.normalize("pps+bez")).isEqualTo("pps+bez");
        assertThat(BrownTags.normalize("ppss+md-nc")).isEqualTo("ppss+md");
        assertThat(BrownTags.normalize("fw-in+at-tl")).isEqualTo("in+at");
        assertThat(BrownTags.normalize("md*")).isEqualTo("md*");
    }

    @Test
    void punctuationTagsSurviveSuffixRemoval() {
        assertThat(BrownTags.normalize(".-hl")).isEqualTo(".");
        assertThat(BrownTags.normalize("---hl")).isEqualTo("--");
        assertThat(BrownTags.normalize("--")).isEqualTo("--");
        assertThat(BrownTags.normalize("(-hl")).isEqualTo("(");
    }

    @Test
    void coarseClassesFollowTheUniversalTagSet() {
        assertThat(BrownTags.coarse("nns")).isEqualTo("NOUN");
        assertThat(BrownTags.coarse("np$")).isEqualTo("NOUN");
        assertThat(BrownTags.coarse("bedz")).isEqualTo("VERB");
        assertThat(BrownTags.coarse("md*")).isEqualTo("VERB");
        assertThat(BrownTags.coarse("pps+bez")).isEqualTo("PRON");
        assertThat(BrownTags.coarse("pp$$")).isEqualTo("PRON");
        assertThat(BrownTags.coarse("at")).isEqualTo("DET");
        assertThat(BrownTags.coarse("in")).isEqualTo("ADP");
        assertThat(BrownTags.coarse("cd")).isEqualTo("NUM");
        assertThat(BrownTags.coarse("cs")).isEqualTo("CONJ");
        assertThat(BrownTags.coarse("*")).isEqualTo("PRT");
        assertThat(BrownTags.coarse("``")).isEqualTo(".");
        assertThat(BrownTags.coarse("nil")).isEqualTo("X");
        assertThat(BrownTags.TagSet.UNIVERSAL.apply("jj-tl")).isEqualTo("ADJ");
    }

    @Test
    void tagSetParsesItsNames() {
        assertThat(BrownTags.TagSet.parse("Full")).isEqualTo(BrownTags.TagSet.FULL);
        assertThat(BrownTags.TagSet.parse("universal")).isEqualTo(BrownTags.TagSet.UNIVERSAL);
        assertThatThrownBy(() -> BrownTags.TagSet.parse("ptb")).hasMessageContaining("'ptb'");
    }
}
