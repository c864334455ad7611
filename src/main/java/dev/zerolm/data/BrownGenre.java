package dev.zerolm.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Brown genre classification: 15 genres from cats.txt ("news", "fiction", ...). Each document is cut into
 * passages of at most N words (whole sentences while they fit; a sentence longer than N is cut into N-word
 * pieces), labelled with the document's genre. Passages of training documents are for training and those of
 * validation documents for testing ({@link BrownCorpus}'s fixed split), so no document is on both sides.
 */
public final class BrownGenre {

    private BrownGenre() {}

    /** Passages of at most maxWords words from the training and validation documents. */
    public static ClassificationData load(BrownCorpus brown, int maxWords) {
        return ClassificationData.of(passages(brown.trainDocs(), maxWords), passages(brown.validDocs(), maxWords));
    }

    /** The passages of these documents in order; each one's source is its document id. */
    public static List<TextExample> passages(List<BrownDocument> documents, int maxWords) {
        if (maxWords < 1) throw new IllegalArgumentException("BrownGenre: passage length must be at least 1 word, got " + maxWords);
        List<TextExample> out = new ArrayList<>();
        for (BrownDocument d : documents) {
            List<String> sentences = new ArrayList<>();
            int words = 0;
            for (List<TaggedWord> sentence : d.sentences()) {
                for (int from = 0; from < sentence.size(); from += maxWords) {
                    List<TaggedWord> piece = sentence.subList(from, Math.min(sentence.size(), from + maxWords));
                    if (words + piece.size() > maxWords && words > 0) {
                        out.add(new TextExample(String.join(" ", sentences), d.genre(), d.id()));
                        sentences.clear();
                        words = 0;
                    }
                    sentences.add(BrownDocument.sentenceText(piece));
                    words += piece.size();
                }
            }
            if (words > 0) out.add(new TextExample(String.join(" ", sentences), d.genre(), d.id()));
        }
        return out;
    }
}
