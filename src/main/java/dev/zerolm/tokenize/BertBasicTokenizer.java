package dev.zerolm.tokenize;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * BERT's BasicTokenizer: the step before WordPiece that turns raw text into words. In order: drop NUL, U+FFFD
 * and control characters and turn every whitespace into a space; put spaces around CJK ideographs (each becomes
 * a word); split on whitespace; per word, lower-case and/or strip accents (NFD, then drop non-spacing marks);
 * split every punctuation character off as its own word.
 * <p>Like Google's tokenization.py and Hugging Face's fast BertNormalizer, no NFC step is applied, so a letter
 * followed by a combining accent stays two code points unless accents are stripped.
 *
 * @param lowercase          lower-case every word (uncased models)
 * @param stripAccents       remove accents (uncased models do, cased ones keep them)
 * @param handleChineseChars make every CJK ideograph a word of its own
 */
public record BertBasicTokenizer(boolean lowercase, boolean stripAccents, boolean handleChineseChars) {

    /** The words of the text, in order. */
    public List<String> tokenize(String text) {
        StringBuilder clean = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) return;
            if (isWhitespace(cp)) clean.append(' ');
            else if (handleChineseChars && isChineseChar(cp)) clean.append(' ').appendCodePoint(cp).append(' ');
            else clean.appendCodePoint(cp);
        });
        List<String> words = new ArrayList<>();
        for (String word : splitOnWhitespace(clean)) {
            if (lowercase) word = word.toLowerCase(Locale.ROOT);
            if (stripAccents) word = stripAccents(word);
            splitOnPunctuation(word, words);
        }
        return words;
    }

    /** Pieces between runs of whitespace; after cleaning only ' ' and the line/paragraph separators are left. */
    private static List<String> splitOnWhitespace(CharSequence text) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (space && start >= 0) {
                out.add(text.subSequence(start, i).toString());
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
        if (start >= 0) out.add(text.subSequence(start, text.length()).toString());
        return out;
    }

    /** Appends the runs of non-punctuation and each punctuation character, in order. */
    private static void splitOnPunctuation(String word, List<String> out) {
        int start = 0;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isPunctuation(cp)) {
                if (i > start) out.add(word.substring(start, i));
                out.add(word.substring(i, next));
                start = next;
            }
            i = next;
        }
        if (word.length() > start) out.add(word.substring(start));
    }

    /** NFD, then without the non-spacing marks (the accents): "Café" -> "Cafe". */
    static String stripAccents(String word) {
        String nfd = Normalizer.normalize(word, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(nfd.length());
        nfd.codePoints().filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK).forEach(out::appendCodePoint);
        return out.toString();
    }

    /** Space, tab, newline, carriage return, or any space separator (Zs). */
    static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    /** Any "other" category (Cc, Cf, Co, Cs, Cn) except tab, newline and carriage return, which count as whitespace. */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') return false;
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE,
                 Character.UNASSIGNED -> true;
            default -> false;
        };
    }

    /** Every non-alphanumeric ASCII symbol ($, +, ^, ... count although not Unicode punctuation) and every P* category. */
    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** The CJK Unified Ideographs blocks (BERT's definition: not Hangul, Hiragana or Katakana). */
    static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
