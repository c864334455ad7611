package dev.zerolm.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One token per character (Unicode code point), like nanoGPT's shakespeare_char: the vocabulary is the
 * sorted set of distinct characters of a training text and a character's id is its index in that set.
 */
public final class CharTokenizer implements Tokenizer {

    public static final String KIND = "char";

    private final int[] codePoints; // sorted ascending; id = index

    private CharTokenizer(int[] sortedDistinctCodePoints) {
        if (sortedDistinctCodePoints.length == 0) {
            throw new IllegalArgumentException("CharTokenizer: the vocabulary is empty (built from empty text?)");
        }
        this.codePoints = sortedDistinctCodePoints;
    }

    /** The tokenizer whose vocabulary is every distinct character of the corpus, sorted by code point. */
    public static CharTokenizer fromCorpus(String corpus) {
        return new CharTokenizer(corpus.codePoints().sorted().distinct().toArray());
    }

    /** Reads the vocabulary that {@link #save(Path)} wrote. */
    public static CharTokenizer load(Path dir) throws IOException {
        Path config = dir.resolve(CONFIG_FILE);
        JsonNode node = new ObjectMapper().readTree(config.toFile());
        if (!KIND.equals(node.path("kind").asText())) {
            throw new IOException("CharTokenizer.load: " + config + " has kind '" + node.path("kind").asText()
                    + "', expected '" + KIND + "'");
        }
        JsonNode chars = node.path("chars");
        int[] cps = new int[chars.size()];
        for (int i = 0; i < cps.length; i++) {
            String s = chars.get(i).asText();
            if (s.codePointCount(0, s.length()) != 1) {
                throw new IOException("CharTokenizer.load: " + config + " entry " + i + " \"" + s
                        + "\" is not exactly one character");
            }
            cps[i] = s.codePointAt(0);
            if (i > 0 && cps[i] <= cps[i - 1]) {
                throw new IOException("CharTokenizer.load: " + config + " characters are not sorted and distinct at entry " + i);
            }
        }
        return new CharTokenizer(cps);
    }

    @Override
    public int[] encode(String text) {
        int[] ids = new int[text.codePointCount(0, text.length())];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int id = Arrays.binarySearch(codePoints, cp);
            if (id < 0) {
                throw new IllegalArgumentException("CharTokenizer.encode: character " + describe(cp) + " at index " + i
                        + " is not in the vocabulary of " + codePoints.length + " characters");
            }
            ids[n++] = id;
            i += Character.charCount(cp);
        }
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= codePoints.length) {
                throw new IllegalArgumentException("CharTokenizer.decode: id " + id + " at position " + i
                        + " is outside the vocabulary [0, " + codePoints.length + ")");
            }
            sb.appendCodePoint(codePoints[id]);
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return codePoints.length;
    }

    /** The vocabulary as a string, in id order. */
    public String chars() {
        return new String(codePoints, 0, codePoints.length);
    }

    @Override
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("kind", KIND);
        ArrayNode chars = root.putArray("chars");
        for (int cp : codePoints) chars.add(new String(new int[] {cp}, 0, 1));
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CONFIG_FILE).toFile(), root);
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** 'x' (U+0078), with control characters shown as escapes so the message stays on one line. */
    static String describe(int cp) {
        String shown = switch (cp) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> Character.isISOControl(cp) || Character.getType(cp) == Character.SURROGATE
                    ? "" : new String(new int[] {cp}, 0, 1);
        };
        return "'" + shown + "' (U+" + String.format("%04X", cp) + ")";
    }
}
