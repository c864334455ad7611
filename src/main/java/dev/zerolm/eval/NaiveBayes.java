package dev.zerolm.eval;

import dev.zerolm.data.LabelVocab;
import dev.zerolm.data.TextExample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Multinomial naive Bayes over bags of lower-cased words with add-one (Laplace) smoothing: the classic text
 * classification baseline. Predicts argmax_c log P(c) + Σ_w count(w) · log P(w | c) over the words seen in training;
 * a word never seen says nothing about the class and is skipped (as scikit-learn's MultinomialNB does).
 */
public final class NaiveBayes {

    private final int numClasses;
    private final double[] logPrior;
    private final Map<String, double[]> logLikelihood = new HashMap<>();

    /** Trains on texts with class ids in [0, numClasses). */
    public NaiveBayes(List<String> texts, List<Integer> labels, int numClasses) {
        if (texts.size() != labels.size() || texts.isEmpty()) {
            throw new IllegalArgumentException("naive Bayes: needs as many labels as texts, got " + texts.size() + " and " + labels.size());
        }
        this.numClasses = numClasses;
        long[] docs = new long[numClasses], words = new long[numClasses];
        Map<String, long[]> counts = new HashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            int c = labels.get(i);
            docs[c]++;
            for (String w : words(texts.get(i))) {
                counts.computeIfAbsent(w, k -> new long[numClasses])[c]++;
                words[c]++;
            }
        }
        int vocab = counts.size();
        logPrior = new double[numClasses];
        for (int c = 0; c < numClasses; c++) logPrior[c] = Math.log((docs[c] + 1.0) / (texts.size() + numClasses));
        for (var e : counts.entrySet()) {
            double[] l = new double[numClasses];
            for (int c = 0; c < numClasses; c++) l[c] = Math.log((e.getValue()[c] + 1.0) / (words[c] + vocab));
            logLikelihood.put(e.getKey(), l);
        }
    }

    public int predict(String text) {
        double[] score = logPrior.clone();
        for (String w : words(text)) {
            double[] l = logLikelihood.get(w);
            if (l == null) continue;
            for (int c = 0; c < numClasses; c++) score[c] += l[c];
        }
        int best = 0;
        for (int c = 1; c < numClasses; c++) if (score[c] > score[best]) best = c;
        return best;
    }

    /** Trains on train and scores valid: the held-out confusion matrix of the baseline. */
    public static ConfusionMatrix evaluate(List<TextExample> train, List<TextExample> valid, LabelVocab labels) {
        List<String> texts = new ArrayList<>(train.size());
        List<Integer> ids = new ArrayList<>(train.size());
        for (TextExample e : train) {
            texts.add(e.text());
            ids.add(labels.id(e.label()));
        }
        NaiveBayes nb = new NaiveBayes(texts, ids, labels.size());
        ConfusionMatrix cm = new ConfusionMatrix(labels.names());
        for (TextExample e : valid) cm.add(labels.id(e.label()), nb.predict(e.text()));
        return cm;
    }

    static String[] words(String text) {
        String t = text.toLowerCase(Locale.ROOT).trim();
        return t.isEmpty() ? new String[0] : t.split("\\s+");
    }
}
