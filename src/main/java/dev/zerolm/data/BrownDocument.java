package dev.zerolm.data;

import java.util.List;
import java.util.Set;

/**
 * One file of the Brown corpus (about 2,000 words of one text), e.g. id "ca01", genre "news".
 *
 * @param sentences the document's sentences in order, each a list of tagged words
 */
public record BrownDocument(String id, String genre, List<List<TaggedWord>> sentences) {

    /** Tokens written with no space before them. */
    private static final Set<String> CLOSING = Set.of(".", ",", ";", ":", "?", "!", "'", "''", ")", "]");
    /** Tokens written with no space after them. */
    private static final Set<String> OPENING = Set.of("(", "[", "``");

    public BrownDocument {
        sentences = sentences.stream().map(List::copyOf).toList();
    }

    /** Number of tokens (words and punctuation) in the document. */
    public int wordCount() {
        return sentences.stream().mapToInt(List::size).sum();
    }

    /** Raw text: one sentence per line (each line ends with '\n'), words joined as a person would write them. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (List<TaggedWord> sentence : sentences) sb.append(sentenceText(sentence)).append('\n');
        return sb.toString();
    }

    /**
     * Joins the words of one sentence with single spaces, except: no space before . , ; : ? ! ' '' ) ],
     * no space after ( [ ``; the corpus's `` and '' quotes become ".
     */
    public static String sentenceText(List<TaggedWord> sentence) {
        StringBuilder sb = new StringBuilder();
        String previous = null;
        for (TaggedWord tw : sentence) {
            String word = tw.word();
            if (previous != null && !CLOSING.contains(word) && !OPENING.contains(previous)) sb.append(' ');
            sb.append(word.equals("``") || word.equals("''") ? "\"" : word);
            previous = word;
        }
        return sb.toString();
    }
}
