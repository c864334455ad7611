package dev.zerolm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JSONL classification files and CoNLL tagging files written by a user. */
class UserDataTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void jsonlReadsStringAndIntegerLabels() throws IOException {
        Path f = write("train.jsonl", "{\"text\": \"good film\", \"label\": \"pos\"}\n\n{\"text\": \"bad\", \"label\": 0}\n");
        List<TextExample> ex = JsonlClassification.read(f);
        assertThat(ex).extracting(TextExample::label).containsExactly("pos", "0");
        assertThat(ex.get(1).text()).isEqualTo("bad");
        assertThat(ex.get(1).source()).endsWith("train.jsonl:3");
    }

    @Test
    void jsonlErrorsNameFileAndLine() throws IOException {
        Path broken = write("a.jsonl", "{\"text\": \"x\", \"label\": 1}\n{\"text\": \"y\", \"label\": \n");
        assertThatThrownBy(() -> JsonlClassification.read(broken)).hasMessageContaining("a.jsonl:2").hasMessageContaining("not valid JSON")
                .hasMessageNotContaining("Source");
        Path unclosed = write("c.jsonl", "{\"text\": \"x\", \"label\": 1\n");
        assertThatThrownBy(() -> JsonlClassification.read(unclosed)).hasMessageContaining("c.jsonl:1")
                .hasMessageContaining("expected close marker for Object").hasMessageNotContaining("Source");
        Path noLabel = write("b.jsonl", "{\"text\": \"x\"}\n");
        assertThatThrownBy(() -> JsonlClassification.read(noLabel)).hasMessageContaining("b.jsonl:1").hasMessageContaining("\"label\"");
        Path notText = write("c.jsonl", "{\"text\": \"x\", \"label\": 1}\n{\"text\": 5, \"label\": 1}\n");
        assertThatThrownBy(() -> JsonlClassification.read(notText)).hasMessageContaining("c.jsonl:2").hasMessageContaining("\"text\"");
        Path array = write("d.jsonl", "[1, 2]\n");
        assertThatThrownBy(() -> JsonlClassification.read(array)).hasMessageContaining("d.jsonl:1");
    }

    @Test
    void jsonlValidationLabelUnseenInTrainingIsAnErrorNamingTheLine() throws IOException {
        Path train = write("train.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n");
        Path valid = write("valid.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": \"z\"}\n");
        assertThatThrownBy(() -> JsonlClassification.load(train, valid)).hasMessageContaining("valid.jsonl:2").hasMessageContaining("'z'");
    }

    @Test
    void conllReadsSentencesSeparatedByBlankLines() throws IOException {
        Path f = write("t.conll", "# comment\n-DOCSTART- O\n\nThe\tDT\ncat NN\n\n\nsat VBD\n");
        List<TaggedSentence> s = ConllTagging.defaults().read(f);
        assertThat(s).hasSize(2);
        assertThat(s.get(0).words()).containsExactly("The", "cat");
        assertThat(s.get(0).tags()).containsExactly("DT", "NN");
        assertThat(s.get(0).source()).endsWith("t.conll:4");
        assertThat(s.get(1).tags()).containsExactly("VBD");
    }

    @Test
    void conllTakesTheConfiguredColumn() throws IOException {
        Path f = write("t.conll", "1 The DT B-NP\n2 cat NN I-NP\n");
        List<TaggedSentence> s = new ConllTagging(1, 2).read(f);
        assertThat(s.getFirst().words()).containsExactly("The", "cat");
        assertThat(s.getFirst().tags()).containsExactly("DT", "NN");
        assertThat(ConllTagging.defaults().read(f).getFirst().tags()).containsExactly("B-NP", "I-NP");
    }

    @Test
    void conllErrorsNameFileAndLine() throws IOException {
        Path ragged = write("r.conll", "The DT\ncat NN\n\nsat\n");
        assertThatThrownBy(() -> ConllTagging.defaults().read(ragged)).hasMessageContaining("r.conll:4").hasMessageContaining("1 columns");
        Path single = write("s.conll", "The\ncat\n");
        assertThatThrownBy(() -> ConllTagging.defaults().read(single)).hasMessageContaining("s.conll:1");
        Path empty = write("e.conll", "\n\n");
        assertThatThrownBy(() -> ConllTagging.defaults().read(empty)).hasMessageContaining("no sentences");
    }

    @Test
    void conllValidationTagUnseenInTrainingMapsToUnknown() throws IOException {
        Path train = write("train.conll", "a X\nb Y\n");
        Path valid = write("valid.conll", "a X\nc Z\n");
        TaggingData data = ConllTagging.defaults().load(train, valid);
        assertThat(data.labels().names()).containsExactly("X", "Y", LabelVocab.UNKNOWN);
        assertThat(data.labels().id("Z")).isEqualTo(data.labels().unknownId());
    }
}
