package dev.zerolm.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Brown part-of-speech tagging: every sentence of the training documents and of the validation documents
 * ({@link BrownCorpus}'s fixed document split), tags normalised by {@link BrownTags}.
 */
public final class BrownPos {

    private BrownPos() {}

    /** Sentences of the train/validation documents with tags in the chosen tag set, labels from training only. */
    public static TaggingData load(BrownCorpus brown, BrownTags.TagSet tagSet) {
        return TaggingData.of(sentences(brown.trainDocs(), tagSet), sentences(brown.validDocs(), tagSet));
    }

    /** The sentences of these documents, each tag mapped by the tag set; source is the document id. */
    public static List<TaggedSentence> sentences(List<BrownDocument> documents, BrownTags.TagSet tagSet) {
        List<TaggedSentence> out = new ArrayList<>();
        for (BrownDocument d : documents) {
            for (List<TaggedWord> sentence : d.sentences()) {
                List<String> words = new ArrayList<>(sentence.size()), tags = new ArrayList<>(sentence.size());
                for (TaggedWord w : sentence) {
                    words.add(w.word());
                    tags.add(tagSet.apply(w.tag()));
                }
                out.add(new TaggedSentence(words, tags, d.id()));
            }
        }
        return out;
    }
}
