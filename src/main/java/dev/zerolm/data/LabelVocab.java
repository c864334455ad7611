package dev.zerolm.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The label names of a classification or tagging task and their ids (0..size-1), always built from the training
 * split only. Names are sorted (numerically when every label is an integer, so "2" comes before "10"), which makes
 * the ids independent of the order examples arrive in.
 * <p>Unknown-label policy: a vocabulary built {@link #withUnknown} has one extra last label, {@value #UNKNOWN},
 * that every label unseen in training maps to. A model never sees it as a target, so it never predicts it, and a
 * validation token with an unseen tag counts as an error: honest, and the count is tiny on Brown. A vocabulary
 * built {@link #closed} instead rejects unseen labels, which suits classification, where every class should
 * have training examples.
 */
public final class LabelVocab {

    /** The label every tag unseen in training maps to, in a vocabulary with an unknown label. */
    public static final String UNKNOWN = "<unk-tag>";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> names;
    private final Map<String, Integer> ids;
    private final int unknownId;

    private LabelVocab(List<String> names, boolean withUnknown) {
        List<String> all = new ArrayList<>(names);
        if (withUnknown) all.add(UNKNOWN);
        this.names = List.copyOf(all);
        this.ids = new HashMap<>();
        for (int i = 0; i < this.names.size(); i++) {
            if (ids.put(this.names.get(i), i) != null) {
                throw new IllegalArgumentException("LabelVocab: label '" + this.names.get(i) + "' occurs twice");
            }
        }
        this.unknownId = withUnknown ? this.names.size() - 1 : -1;
    }

    /** The distinct training labels, sorted, with no unknown label: {@link #id} rejects any other label. */
    public static LabelVocab closed(Collection<String> trainLabels) {
        return new LabelVocab(sorted(trainLabels), false);
    }

    /** The distinct training labels, sorted, then {@value #UNKNOWN}, which every other label maps to. */
    public static LabelVocab withUnknown(Collection<String> trainLabels) {
        return new LabelVocab(sorted(trainLabels), true);
    }

    /** Exactly these names in this order (e.g. read back from a saved model); the last is unknown if it is {@value #UNKNOWN}. */
    public static LabelVocab ofNames(List<String> names) {
        boolean unk = !names.isEmpty() && names.getLast().equals(UNKNOWN);
        return new LabelVocab(unk ? names.subList(0, names.size() - 1) : names, unk);
    }

    private static List<String> sorted(Collection<String> labels) {
        TreeSet<String> distinct = new TreeSet<>(labels);
        if (distinct.isEmpty()) throw new IllegalArgumentException("LabelVocab: no labels in the training data");
        List<String> out = new ArrayList<>(distinct);
        if (out.stream().allMatch(LabelVocab::isInteger)) out.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
        return out;
    }

    private static boolean isInteger(String s) {
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The id of a label; an unseen label is {@link #unknownId()} or, in a closed vocabulary, an error. */
    public int id(String label) {
        Integer id = ids.get(label);
        if (id != null) return id;
        if (unknownId >= 0) return unknownId;
        throw new IllegalArgumentException("label '" + label + "' does not occur in the training data; known labels: "
                + (names.size() <= 30 ? names : names.subList(0, 30) + " ..."));
    }

    /** Whether the label was seen in training. */
    public boolean contains(String label) {
        return ids.containsKey(label) && !label.equals(UNKNOWN);
    }

    /** The name of a label id. */
    public String name(int id) {
        if (id < 0 || id >= names.size()) {
            throw new IllegalArgumentException("LabelVocab: label id " + id + " is outside [0, " + names.size() + ")");
        }
        return names.get(id);
    }

    /** All label names by id (the unknown label last, if any). */
    public List<String> names() {
        return names;
    }

    /** Number of labels, the unknown one included: the width of a classifier head. */
    public int size() {
        return names.size();
    }

    /** The id of {@value #UNKNOWN}, or -1 in a closed vocabulary. */
    public int unknownId() {
        return unknownId;
    }

    /** Writes {"labels": [...]} (ids are positions), the form {@link #load} reads. */
    public void save(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        var array = root.putArray("labels");
        names.forEach(array::add);
        AtomicFiles.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    /** Reads a file written by {@link #save}. */
    public static LabelVocab load(Path file) throws IOException {
        JsonNode labels = JSON.readTree(file.toFile()).path("labels");
        if (!labels.isArray() || labels.isEmpty()) throw new IOException(file + ": no \"labels\" array");
        List<String> names = new ArrayList<>();
        for (JsonNode n : labels) names.add(n.asText());
        return ofNames(names);
    }

    @Override
    public String toString() {
        return "LabelVocab" + names;
    }
}
