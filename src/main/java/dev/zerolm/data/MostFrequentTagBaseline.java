package dev.zerolm.data;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The classic tagging baseline: each word gets the tag it had most often in training (ties: the alphabetically
 * first); a word never seen in training gets the most frequent tag overall. Words are matched as written (case kept).
 */
public final class MostFrequentTagBaseline {

    private final Map<String, String> bestTag = new HashMap<>();
    private final String overallBest;

    /** Counts the tags of every training word. */
    public MostFrequentTagBaseline(List<TaggedSentence> train) {
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        Map<String, Integer> tagCounts = new HashMap<>();
        for (TaggedSentence s : train) {
            for (int i = 0; i < s.size(); i++) {
                counts.computeIfAbsent(s.words().get(i), w -> new HashMap<>()).merge(s.tags().get(i), 1, Integer::sum);
                tagCounts.merge(s.tags().get(i), 1, Integer::sum);
            }
        }
        if (tagCounts.isEmpty()) throw new IllegalArgumentException("MostFrequentTagBaseline: no training words");
        counts.forEach((word, tags) -> bestTag.put(word, argmax(tags)));
        overallBest = argmax(tagCounts);
    }

    private static String argmax(Map<String, Integer> counts) {
        String best = null;
        int max = -1;
        for (var e : counts.entrySet()) {
            if (e.getValue() > max || (e.getValue() == max && e.getKey().compareTo(best) < 0)) {
                best = e.getKey();
                max = e.getValue();
            }
        }
        return best;
    }

    /** The predicted tag of a word. */
    public String predict(String word) {
        return bestTag.getOrDefault(word, overallBest);
    }

    /** The most frequent training tag, given to unseen words. */
    public String mostFrequentTag() {
        return overallBest;
    }

    /** Counts of a tagging evaluation: correct / total words, and the same among words unseen in training. */
    public record Accuracy(long correct, long total, long unknownCorrect, long unknownTotal) {
        public double accuracy() {
            return total == 0 ? 0 : (double) correct / total;
        }

        public double unknownAccuracy() {
            return unknownTotal == 0 ? 0 : (double) unknownCorrect / unknownTotal;
        }
    }

    /** Token accuracy of the baseline on these sentences. */
    public Accuracy evaluate(List<TaggedSentence> sentences) {
        long correct = 0, total = 0, unkCorrect = 0, unkTotal = 0;
        for (TaggedSentence s : sentences) {
            for (int i = 0; i < s.size(); i++) {
                String word = s.words().get(i);
                boolean hit = predict(word).equals(s.tags().get(i));
                total++;
                if (hit) correct++;
                if (!bestTag.containsKey(word)) {
                    unkTotal++;
                    if (hit) unkCorrect++;
                }
            }
        }
        return new Accuracy(correct, total, unkCorrect, unkTotal);
    }
}
