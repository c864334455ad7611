package dev.zerolm.data;

/** One token of a tagged corpus: the word as written and its part-of-speech tag, e.g. ("Atlanta's", "np$"). */
public record TaggedWord(String word, String tag) {

    /**
     * Parses "word/tag", splitting at the last '/' because words may contain '/' themselves
     * (e.g. "1/2/cd" is the word "1/2" tagged "cd").
     */
    public static TaggedWord parse(String token) {
        int slash = token.lastIndexOf('/');
        if (slash <= 0 || slash == token.length() - 1) {
            throw new IllegalArgumentException("TaggedWord.parse: '" + token + "' is not of the form word/tag");
        }
        return new TaggedWord(token.substring(0, slash), token.substring(slash + 1));
    }
}
