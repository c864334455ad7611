package dev.zerolm.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits text into the pieces GPT-2 runs BPE on, exactly as GPT-2's regex
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} does, where \s is
 * Unicode White_Space (as in Python's regex module). It is a hand-written scanner because that is several
 * times faster than java.util.regex; {@link #REGEX} is kept as the specification the tests compare against.
 */
final class Gpt2PreTokenizer {

    /** GPT-2's pre-tokenization pattern, the reference for {@link #split(String, PieceSink)}. */
    static final Pattern REGEX = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    /** Receives each piece as the half-open char range [start, end) of the text. */
    @FunctionalInterface
    interface PieceSink {
        void accept(int start, int end);
    }

    private static final byte SPACE = 0, LETTER = 1, NUMBER = 2, OTHER = 3;
    private static final byte[] ASCII_CLASS = new byte[128];

    static {
        for (int c = 0; c < 128; c++) ASCII_CLASS[c] = classify(c);
    }

    private Gpt2PreTokenizer() {}

    /** Calls the sink for every piece, in order; the pieces tile the whole text. */
    static void split(String text, PieceSink sink) {
        int i = 0;
        while (i < text.length()) {
            int end = pieceEnd(text, i);
            sink.accept(i, end);
            i = end;
        }
    }

    /** The pieces as strings (for tests and inspection; encoding uses the sink form). */
    static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        split(text, (start, end) -> pieces.add(text.substring(start, end)));
        return pieces;
    }

    /** End of the piece starting at i: the alternatives of the regex tried in its order. */
    private static int pieceEnd(String s, int i) {
        int n = s.length();
        char c = s.charAt(i);
        if (c == '\'') {
            int end = contractionEnd(s, i);
            if (end > 0) return end;
        }
        int cls = classAt(s, i);
        if (c == ' ' && i + 1 < n) {
            int next = classAt(s, i + 1);
            if (next != SPACE) return runEnd(s, i + 1, next); // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+'
        }
        if (cls != SPACE) return runEnd(s, i, cls);
        int end = runEnd(s, i, SPACE);
        if (end == n) return end;              // '\s+(?!\S)' up to the end of the text
        // White_Space characters are all in the BMP, so the last one is one char long. Leave it for the
        // next piece ('\s+(?!\S)'), unless it is the only one ('\s+').
        return end - 1 > i ? end - 1 : end;
    }

    /** End of "'s", "'t", "'re", "'ve", "'m", "'ll", "'d" at i, or -1. */
    private static int contractionEnd(String s, int i) {
        if (i + 1 >= s.length()) return -1;
        char a = s.charAt(i + 1);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
        if (i + 2 >= s.length()) return -1;
        char b = s.charAt(i + 2);
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
        return -1;
    }

    /** End of the run of code points of class cls starting at i. */
    private static int runEnd(String s, int i, int cls) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c < 128) {
                if (ASCII_CLASS[c] != cls) return i;
                i++;
            } else {
                int cp = s.codePointAt(i);
                if (classify(cp) != cls) return i;
                i += Character.charCount(cp);
            }
        }
        return n;
    }

    private static int classAt(String s, int i) {
        char c = s.charAt(i);
        return c < 128 ? ASCII_CLASS[c] : classify(s.codePointAt(i));
    }

    private static byte classify(int cp) {
        if (isWhiteSpace(cp)) return SPACE;
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            default -> OTHER;
        };
    }

    /** Unicode's White_Space property (what \s means in Python's regex module and Java's UNICODE_CHARACTER_CLASS). */
    static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }
}
