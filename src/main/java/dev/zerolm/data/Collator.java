package dev.zerolm.data;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pads examples of different lengths into one {@link Batch}, on the right: pad id in the ids, 0 in the attention
 * mask, {@link TokenExample#IGNORE} in per-token labels. Examples longer than maxLength are cut to it (their tail
 * is dropped, special tokens included: encode with {@link ExampleEncoder}'s max length to keep [SEP]). With
 * dynamic padding a batch is as long as its longest example, otherwise always maxLength.
 */
public final class Collator {

    private final int padId;
    private final int maxLength;
    private final boolean dynamicPadding;

    public Collator(int padId, int maxLength, boolean dynamicPadding) {
        if (maxLength < 1) throw new IllegalArgumentException("Collator: max length must be at least 1, got " + maxLength);
        this.padId = padId;
        this.maxLength = maxLength;
        this.dynamicPadding = dynamicPadding;
    }

    /** Pads to the longest example of each batch (at most maxLength), with the encoder's pad id. */
    public static Collator dynamic(ExampleEncoder encoder) {
        return new Collator(encoder.padId(), encoder.maxLength(), true);
    }

    /** Sentences for token classification: labels (B, T). */
    public Batch collateTokens(List<TokenExample> examples) {
        int T = length(examples.stream().mapToInt(TokenExample::length).max().orElse(0), examples.size());
        int B = examples.size();
        int[] ids = new int[B * T], mask = new int[B * T], labels = new int[B * T];
        Arrays.fill(ids, padId);
        Arrays.fill(labels, TokenExample.IGNORE);
        for (int b = 0; b < B; b++) {
            TokenExample e = examples.get(b);
            int n = Math.min(e.length(), T);
            System.arraycopy(e.ids(), 0, ids, b * T, n);
            System.arraycopy(e.labels(), 0, labels, b * T, n);
            Arrays.fill(mask, b * T, b * T + n, 1);
        }
        return new Batch(IntTensor.of(ids, B, T), IntTensor.of(mask, B, T), IntTensor.of(labels, B, T));
    }

    /** Texts for sequence classification: labels (B). */
    public Batch collateSequences(List<SequenceExample> examples) {
        Batch unlabelled = collateIds(examples.stream().map(SequenceExample::ids).toList());
        int[] labels = examples.stream().mapToInt(SequenceExample::label).toArray();
        return unlabelled.withLabels(IntTensor.vector(labels));
    }

    /** Bare token id sequences (e.g. for masked LM, which makes its own labels): labels null. */
    public Batch collateIds(List<int[]> sequences) {
        int T = length(sequences.stream().mapToInt(s -> s.length).max().orElse(0), sequences.size());
        int B = sequences.size();
        int[] ids = new int[B * T], mask = new int[B * T];
        Arrays.fill(ids, padId);
        for (int b = 0; b < B; b++) {
            int n = Math.min(sequences.get(b).length, T);
            System.arraycopy(sequences.get(b), 0, ids, b * T, n);
            Arrays.fill(mask, b * T, b * T + n, 1);
        }
        return new Batch(IntTensor.of(ids, B, T), IntTensor.of(mask, B, T), null);
    }

    private int length(int longest, int count) {
        if (count == 0) throw new IllegalArgumentException("Collator: no examples to batch");
        if (longest == 0) throw new IllegalArgumentException("Collator: every example of the batch is empty");
        return dynamicPadding ? Math.min(longest, maxLength) : maxLength;
    }

    /**
     * The examples cut into consecutive batches of batchSize (the last one may be smaller), in a random order
     * drawn from rng (a Fisher-Yates shuffle, so the same seed gives the same epoch), or in order when rng is null.
     */
    public static <E> List<List<E>> batches(List<E> examples, int batchSize, Rng rng) {
        if (batchSize < 1) throw new IllegalArgumentException("Collator.batches: batch size must be at least 1, got " + batchSize);
        List<E> order = new ArrayList<>(examples);
        if (rng != null) {
            for (int i = order.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                E tmp = order.get(i);
                order.set(i, order.get(j));
                order.set(j, tmp);
            }
        }
        List<List<E>> out = new ArrayList<>();
        for (int from = 0; from < order.size(); from += batchSize) {
            out.add(List.copyOf(order.subList(from, Math.min(order.size(), from + batchSize))));
        }
        return out;
    }
}
