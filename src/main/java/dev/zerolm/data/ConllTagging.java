package dev.zerolm.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's tagging data in CoNLL-style columns: one word per line, its columns separated by tabs or spaces, the
 * word in one column and the tag in another; a blank line ends a sentence. Lines starting with '#' (CoNLL-U
 * comments) and -DOCSTART- lines are skipped. Every line must have the same number of columns as the first word
 * line of the file; errors name the file and line.
 *
 * @param wordColumn the word's column, 0-based
 * @param tagColumn  the tag's column, 0-based; negative counts from the end (-1: the last column)
 */
public record ConllTagging(int wordColumn, int tagColumn) {

    /** Word in the first column, tag in the last ("The DT B-NP" or "The\tDT"). */
    public static ConllTagging defaults() {
        return new ConllTagging(0, -1);
    }

    public ConllTagging {
        if (wordColumn < 0) throw new IllegalArgumentException("ConllTagging: word column must be >= 0, got " + wordColumn);
    }

    /** The sentences of one file; each one's source is "file:line" of its first word. */
    public List<TaggedSentence> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<TaggedSentence> out = new ArrayList<>();
        List<String> words = new ArrayList<>(), tags = new ArrayList<>();
        int columns = -1, sentenceLine = 0;
        for (int i = 0; i <= lines.size(); i++) {
            String line = i < lines.size() ? lines.get(i).strip() : "";
            if (line.isEmpty()) {
                if (!words.isEmpty()) out.add(new TaggedSentence(words, tags, file + ":" + sentenceLine));
                words = new ArrayList<>();
                tags = new ArrayList<>();
                continue;
            }
            if (line.startsWith("#") || line.startsWith("-DOCSTART-")) continue;
            String[] fields = line.split("[\\t ]+");
            if (columns < 0) columns = fields.length;
            String where = file + ":" + (i + 1);
            if (fields.length != columns) {
                throw new IOException(where + ": " + fields.length + " columns, but the file's first word line has "
                        + columns + ": \"" + line + "\"");
            }
            int tagAt = tagColumn < 0 ? fields.length + tagColumn : tagColumn;
            if (wordColumn >= fields.length || tagAt < 0 || tagAt >= fields.length || tagAt == wordColumn) {
                throw new IOException(where + ": cannot take the word from column " + wordColumn + " and the tag from column "
                        + tagColumn + " of a line with " + fields.length + " columns: \"" + line + "\"");
            }
            if (words.isEmpty()) sentenceLine = i + 1;
            words.add(fields[wordColumn]);
            tags.add(fields[tagAt]);
        }
        if (out.isEmpty()) throw new IOException(file + ": holds no sentences");
        return out;
    }

    /** Training and validation files as a task, labels from the training file (unseen tags: {@value LabelVocab#UNKNOWN}). */
    public TaggingData load(Path train, Path valid) throws IOException {
        return TaggingData.of(read(train), read(valid));
    }
}
