package dev.zerolm.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The Brown corpus in NLTK's format: a directory with one file per document ("ca01" .. "cr09") holding
 * whitespace-separated word/tag tokens, one sentence per non-blank line, and cats.txt mapping each file id
 * to its genre ("ca01 news"). Files not listed in cats.txt (CONTENTS, README) are ignored.
 *
 * <p>Train/validation split, fixed so results are comparable across runs: documents are sorted by file id and
 * the document at index i is a validation document when {@code i % 10 == 9} (every 10th document: 50 of the
 * 500), all others are training documents. The split is by whole documents so no text is shared.
 */
public final class BrownCorpus {

    /** Every VALIDATION_EVERY-th document (index % VALIDATION_EVERY == VALIDATION_EVERY - 1) is for validation. */
    public static final int VALIDATION_EVERY = 10;

    private final List<BrownDocument> documents;

    private BrownCorpus(List<BrownDocument> documents) {
        this.documents = List.copyOf(documents);
    }

    /** Reads every document listed in dir/cats.txt, in sorted file-id order. */
    public static BrownCorpus load(Path dir) throws IOException {
        Path cats = dir.resolve("cats.txt");
        if (!Files.isRegularFile(cats)) {
            throw new IOException("BrownCorpus.load: " + cats + " not found; is " + dir + " an NLTK Brown corpus directory?");
        }
        Map<String, String> genreOf = new TreeMap<>();
        List<String> lines = Files.readAllLines(cats, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String[] fields = lines.get(i).trim().split("\\s+");
            if (fields.length == 1 && fields[0].isEmpty()) continue;
            if (fields.length < 2) {
                throw new IOException(cats + ":" + (i + 1) + ": expected \"fileid genre\", got \"" + lines.get(i) + "\"");
            }
            genreOf.put(fields[0], fields[1]); // NLTK allows several categories; Brown has exactly one
        }
        List<BrownDocument> documents = new ArrayList<>();
        for (Map.Entry<String, String> e : genreOf.entrySet()) {
            documents.add(readDocument(dir.resolve(e.getKey()), e.getKey(), e.getValue()));
        }
        return new BrownCorpus(documents);
    }

    private static BrownDocument readDocument(Path file, String id, String genre) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("BrownCorpus.load: " + file + " is listed in cats.txt but does not exist");
        }
        List<List<TaggedWord>> sentences = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            List<TaggedWord> sentence = new ArrayList<>();
            for (String token : line.split("\\s+")) {
                try {
                    sentence.add(TaggedWord.parse(token));
                } catch (IllegalArgumentException ex) {
                    throw new IOException(file + ":" + (i + 1) + ": " + ex.getMessage(), ex);
                }
            }
            sentences.add(sentence);
        }
        return new BrownDocument(id, genre, sentences);
    }

    /** All documents, sorted by file id. */
    public List<BrownDocument> documents() {
        return documents;
    }

    /** Whether the document at this index of {@link #documents()} belongs to the validation split. */
    public static boolean isValidation(int index) {
        return index % VALIDATION_EVERY == VALIDATION_EVERY - 1;
    }

    /** The training documents (index % 10 != 9), in file-id order. */
    public List<BrownDocument> trainDocs() {
        return split(false);
    }

    /** The validation documents (index % 10 == 9, i.e. every 10th), in file-id order. */
    public List<BrownDocument> validDocs() {
        return split(true);
    }

    /** The distinct genres, sorted. */
    public SortedSet<String> genres() {
        return documents.stream().map(BrownDocument::genre).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Raw text of the training documents (see {@link #text(List)}). */
    public String trainText() {
        return text(trainDocs());
    }

    /** Raw text of the validation documents (see {@link #text(List)}). */
    public String validText() {
        return text(validDocs());
    }

    /** Raw text of documents: each document's {@link BrownDocument#text()}, separated by one blank line. */
    public static String text(List<BrownDocument> documents) {
        return documents.stream().map(BrownDocument::text).collect(Collectors.joining("\n"));
    }

    private List<BrownDocument> split(boolean validation) {
        List<BrownDocument> out = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            if (isValidation(i) == validation) out.add(documents.get(i));
        }
        return List.copyOf(out);
    }
}
