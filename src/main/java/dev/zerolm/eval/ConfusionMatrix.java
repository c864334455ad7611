package dev.zerolm.eval;

import java.util.List;
import java.util.Locale;

/**
 * Counts of (gold label, predicted label) pairs over held-out examples, and the classification metrics read off
 * them: accuracy, per-class precision / recall / F1, and their macro (unweighted mean over classes) and micro
 * (pooled counts) averages. Rows are gold labels, columns predictions.
 */
public final class ConfusionMatrix {

    /** Per-class numbers; support is the count of gold examples of the class. */
    public record ClassScores(String label, double precision, double recall, double f1, long support) {}

    private final List<String> labels;
    private final long[][] counts;

    public ConfusionMatrix(List<String> labels) {
        if (labels.isEmpty()) throw new IllegalArgumentException("confusion matrix: needs at least one label");
        this.labels = List.copyOf(labels);
        this.counts = new long[labels.size()][labels.size()];
    }

    public void add(int gold, int predicted) {
        int n = labels.size();
        if (gold < 0 || gold >= n || predicted < 0 || predicted >= n) {
            throw new IllegalArgumentException("confusion matrix: pair (gold " + gold + ", predicted " + predicted
                    + ") is outside the " + n + " labels");
        }
        counts[gold][predicted]++;
    }

    public long count(int gold, int predicted) {
        return counts[gold][predicted];
    }

    public long total() {
        long t = 0;
        for (long[] row : counts) for (long c : row) t += c;
        return t;
    }

    public long correct() {
        long c = 0;
        for (int i = 0; i < counts.length; i++) c += counts[i][i];
        return c;
    }

    public double accuracy() {
        long t = total();
        return t == 0 ? 0 : (double) correct() / t;
    }

    /** Precision, recall and F1 of class i; a ratio with a zero denominator counts as 0 (scikit-learn's default). */
    public ClassScores scores(int i) {
        long tp = counts[i][i], predicted = 0, gold = 0;
        for (int j = 0; j < counts.length; j++) {
            predicted += counts[j][i];
            gold += counts[i][j];
        }
        double p = ratio(tp, predicted), r = ratio(tp, gold);
        return new ClassScores(labels.get(i), p, r, p + r == 0 ? 0 : 2 * p * r / (p + r), gold);
    }

    /**
     * Unweighted means of per-class precision, recall and F1 over the classes that occur (as gold or predicted):
     * a label absent from the held-out data and never predicted would otherwise pull the mean down with a 0.
     */
    public double[] macro() {
        double p = 0, r = 0, f = 0;
        int n = 0;
        for (int i = 0; i < counts.length; i++) {
            if (!occurs(i)) continue;
            ClassScores s = scores(i);
            p += s.precision();
            r += s.recall();
            f += s.f1();
            n++;
        }
        return n == 0 ? new double[3] : new double[] {p / n, r / n, f / n};
    }

    public double macroF1() {
        return macro()[2];
    }

    /**
     * Precision, recall and F1 from counts pooled over classes. With one label per example every error is one
     * false positive and one false negative, so all three equal the accuracy.
     */
    public double[] micro() {
        long tp = correct(), t = total();
        double p = ratio(tp, t);
        return new double[] {p, p, p};
    }

    public List<String> labels() {
        return labels;
    }

    private boolean occurs(int i) {
        for (int j = 0; j < counts.length; j++) if (counts[i][j] != 0 || counts[j][i] != 0) return true;
        return false;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    /** A per-class table with macro and micro averages, like scikit-learn's classification_report. */
    public String report() {
        int w = Math.max(12, labels.stream().mapToInt(String::length).max().orElse(0) + 2);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %9s %9s %9s %9s%n", "label", "precision", "recall", "f1", "support"));
        for (int i = 0; i < labels.size(); i++) {
            ClassScores s = scores(i);
            sb.append(String.format(Locale.ROOT, "%-" + w + "s %9.4f %9.4f %9.4f %9d%n", s.label(), s.precision(), s.recall(), s.f1(), s.support()));
        }
        double[] ma = macro(), mi = micro();
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %9.4f %9.4f %9.4f %9d%n", "macro avg", ma[0], ma[1], ma[2], total()));
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %9.4f %9.4f %9.4f %9d%n", "micro avg", mi[0], mi[1], mi[2], total()));
        sb.append(String.format(Locale.ROOT, "accuracy %.4f (%d of %d)%n", accuracy(), correct(), total()));
        return sb.toString();
    }

    /** The counts as text: one row per gold label, one column per prediction (labels cut to 6 characters). */
    public String table() {
        int n = labels.size();
        long max = 1;
        for (long[] row : counts) for (long c : row) max = Math.max(max, c);
        int w = Math.max(6, Long.toString(max).length() + 1);
        int lw = Math.max(8, labels.stream().mapToInt(String::length).max().orElse(0) + 1);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + lw + "s", "gold\\pred"));
        for (String l : labels) sb.append(String.format(Locale.ROOT, "%" + w + "s", l.length() > w - 1 ? l.substring(0, w - 1) : l));
        sb.append('\n');
        for (int i = 0; i < n; i++) {
            sb.append(String.format(Locale.ROOT, "%-" + lw + "s", labels.get(i)));
            for (int j = 0; j < n; j++) sb.append(String.format(Locale.ROOT, "%" + w + "d", counts[i][j]));
            sb.append('\n');
        }
        return sb.toString();
    }
}
