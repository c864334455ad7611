package dev.zerolm.data;

import java.util.Locale;
import java.util.Map;

/**
 * Normalisation of Brown corpus part-of-speech tags, so a tagger learns word classes rather than typography.
 * <p>{@link #normalize(String)} (the "full" tag set, about 90 tags on the whole corpus):
 * <ul>
 *   <li>the suffixes {@code -tl} (word in a title), {@code -hl} (word in a headline) and {@code -nc} (cited word)
 *       are removed, repeatedly ({@code nn-tl-hl} -> {@code nn}): they say where a word stands, not what it is, and
 *       a tagger cannot see titles or headlines in running text;</li>
 *   <li>the prefix {@code fw-} (foreign word) is removed ({@code fw-nn} -> {@code nn}), keeping the tag of the
 *       foreign word's role in its own language, which is what the rest of the tag says;</li>
 *   <li>compound tags joined by {@code +} are <b>kept whole</b> ({@code pps+bez} for "it's", {@code md*} for
 *       "can't"). One token carries two words there, and its compound tag is the correct answer for that token;
 *       mapping it to the first part would call "it's" a plain pronoun and make the tag wrong, while the few dozen
 *       compound tags are frequent enough ("I'm", "that's", "won't") to be learnable. Each part of a compound is
 *       normalised on its own ({@code fw-in+at-tl} -> {@code in+at}).</li>
 * </ul>
 * <p>{@link #coarse(String)} maps a normalised tag to twelve universal-style classes (NOUN, VERB, ADJ, ADV, PRON,
 * DET, ADP, NUM, CONJ, PRT, ".", X) in the spirit of Petrov, Das and McDonald's universal tag set; a compound tag
 * takes the class of its first part, the head of the contraction.
 */
public final class BrownTags {

    /** Which labels a tagging dataset uses. */
    public enum TagSet {
        /** Brown's own tags after {@link #normalize(String)}. */
        FULL,
        /** Twelve universal-style classes, {@link #coarse(String)}. */
        UNIVERSAL;

        /** "full" or "universal" (case-insensitive). */
        public static TagSet parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "full" -> FULL;
                case "universal" -> UNIVERSAL;
                default -> throw new IllegalArgumentException("tag set must be full or universal, got '" + name + "'");
            };
        }

        /** The label of a raw Brown tag in this tag set. */
        public String apply(String rawTag) {
            String tag = normalize(rawTag);
            return this == FULL ? tag : coarse(tag);
        }
    }

    private static final String[] POSITION_SUFFIXES = {"-tl", "-hl", "-nc"};
    private static final String FOREIGN_PREFIX = "fw-";

    private BrownTags() {}

    /** The tag without -tl/-hl/-nc suffixes and fw- prefix, each part of a '+' compound separately. */
    public static String normalize(String tag) {
        if (tag.indexOf('+') < 0) return normalizePart(tag);
        String[] parts = tag.split("\\+", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) sb.append('+');
            sb.append(normalizePart(parts[i]));
        }
        return sb.toString();
    }

    private static String normalizePart(String tag) {
        String t = tag;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String suffix : POSITION_SUFFIXES) {
                if (t.length() > suffix.length() && t.endsWith(suffix)) {
                    t = t.substring(0, t.length() - suffix.length());
                    changed = true;
                }
            }
            if (t.length() > FOREIGN_PREFIX.length() && t.startsWith(FOREIGN_PREFIX)) {
                t = t.substring(FOREIGN_PREFIX.length());
                changed = true;
            }
        }
        return t;
    }

    /** Universal-style class of a normalised Brown tag; tags it does not know (e.g. "nil") are X. */
    public static String coarse(String normalizedTag) {
        String t = normalizedTag;
        int plus = t.indexOf('+');
        if (plus > 0) t = t.substring(0, plus);                    // a contraction's class is its head's
        if (t.length() > 1) t = stripTrailing(stripTrailing(t, '*'), '$'); // negation (md*), possessive (nn$)
        if (t.length() > 1) t = stripTrailing(t, '$');              // pp$$ (mine)
        String exact = EXACT.get(t);
        if (exact != null) return exact;
        if (t.startsWith("nn") || t.startsWith("np") || t.startsWith("nr")) return "NOUN";
        if (t.startsWith("vb") || t.startsWith("be") || t.startsWith("hv") || t.startsWith("do")) return "VERB";
        if (t.startsWith("jj")) return "ADJ";
        if (t.startsWith("rb")) return "ADV";
        if (t.startsWith("pp") || t.startsWith("wp") || t.startsWith("pn")) return "PRON";
        if (t.startsWith("dt") || t.startsWith("ab")) return "DET";
        if (!t.isEmpty() && t.codePoints().noneMatch(Character::isLetterOrDigit)) return ".";
        return "X";
    }

    private static String stripTrailing(String s, char c) {
        return s.length() > 1 && s.charAt(s.length() - 1) == c ? s.substring(0, s.length() - 1) : s;
    }

    private static final Map<String, String> EXACT = Map.ofEntries(
            Map.entry("md", "VERB"), Map.entry("od", "ADJ"), Map.entry("ql", "ADV"), Map.entry("qlp", "ADV"),
            Map.entry("wql", "ADV"), Map.entry("wrb", "ADV"), Map.entry("rn", "ADV"), Map.entry("at", "DET"),
            Map.entry("ap", "DET"), Map.entry("wdt", "DET"), Map.entry("ex", "DET"), Map.entry("in", "ADP"),
            Map.entry("cd", "NUM"), Map.entry("cc", "CONJ"), Map.entry("cs", "CONJ"), Map.entry("to", "PRT"),
            Map.entry("rp", "PRT"), Map.entry("*", "PRT"), Map.entry("uh", "X"), Map.entry("nil", "X"));
}
