package dev.zerolm.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A plain-text corpus split into training and validation text: the last {@code validFraction} of the
 * characters is validation (10% by default, like nanoGPT's shakespeare_char), the rest is training.
 */
public record TextCorpus(String train, String valid) {

    public static final double DEFAULT_VALID_FRACTION = 0.1;

    /** Reads a file or a directory (see {@link #readText(Path)}) and keeps the last 10% for validation. */
    public static TextCorpus load(Path path) throws IOException {
        return split(readText(path), DEFAULT_VALID_FRACTION);
    }

    /** Reads a file or a directory and keeps the last validFraction of the text for validation. */
    public static TextCorpus load(Path path, double validFraction) throws IOException {
        return split(readText(path), validFraction);
    }

    /**
     * Splits text: the first (1 - validFraction) of its chars are training, the rest validation. The cut
     * moves back one char rather than split a surrogate pair.
     */
    public static TextCorpus split(String text, double validFraction) {
        if (!(validFraction >= 0 && validFraction < 1)) {
            throw new IllegalArgumentException("TextCorpus.split: validFraction " + validFraction + " must be in [0, 1)");
        }
        int cut = (int) Math.round(text.length() * (1 - validFraction));
        if (cut > 0 && cut < text.length() && Character.isLowSurrogate(text.charAt(cut))
                && Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--;
        }
        return new TextCorpus(text.substring(0, cut), text.substring(cut));
    }

    /**
     * The text of a file, or of every regular file under a directory (recursively, in sorted path order,
     * concatenated as is), read as UTF-8.
     */
    public static String readText(Path path) throws IOException {
        if (Files.isRegularFile(path)) return Files.readString(path, StandardCharsets.UTF_8);
        if (!Files.isDirectory(path)) {
            throw new IOException("TextCorpus.readText: " + path + " is neither a file nor a directory");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(path)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        if (files.isEmpty()) throw new IOException("TextCorpus.readText: " + path + " contains no files");
        StringBuilder sb = new StringBuilder();
        try {
            files.forEach(f -> {
                try {
                    sb.append(Files.readString(f, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return sb.toString();
    }
}
