package dev.zerolm.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** A tensor was requested that the file does not hold; the message lists a few names that it does hold. */
public final class NoSuchTensorException extends IllegalArgumentException {

    private static final int NAMES_SHOWN = 5;

    private final transient Path file;
    private final String tensor;

    public NoSuchTensorException(Path file, String tensor, Collection<String> available) {
        super(file + ": no tensor named '" + tensor + "'; " + describe(tensor, available));
        this.file = file;
        this.tensor = tensor;
    }

    public Path file() {
        return file;
    }

    public String tensor() {
        return tensor;
    }

    private static String describe(String wanted, Collection<String> available) {
        if (available.isEmpty()) return "the file holds no tensors";
        List<String> shown = new ArrayList<>();
        for (String name : available) {
            if (shown.size() == NAMES_SHOWN) break;
            shown.add("'" + name + "'");
        }
        String more = available.size() > NAMES_SHOWN ? ", ..." : "";
        return available.size() + " available: " + String.join(", ", shown) + more
                + "; closest: '" + closest(wanted, available) + "'";
    }

    /** The available name with the smallest edit distance to the wanted one (for error messages; null if none). */
    public static String closest(String wanted, Collection<String> available) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : available) {
            int d = editDistance(wanted, name);
            if (d < bestDistance) {
                bestDistance = d;
                best = name;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
