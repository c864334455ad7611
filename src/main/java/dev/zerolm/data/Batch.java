package dev.zerolm.data;

import dev.zerolm.tensor.IntTensor;

/**
 * A padded batch of B examples of length T.
 *
 * @param inputIds      (B, T) token ids, padded with the pad id
 * @param attentionMask (B, T) 1 for a real token, 0 for padding
 * @param labels        (B) for sequence classification, (B, T) for token classification and masked LM
 *                      ({@link TokenExample#IGNORE} on padding and unscored tokens), or null when unlabelled
 */
public record Batch(IntTensor inputIds, IntTensor attentionMask, IntTensor labels) {

    /** B: examples in the batch. */
    public int size() {
        return inputIds.shape()[0];
    }

    /** T: tokens per row. */
    public int length() {
        return inputIds.shape()[1];
    }

    /** Real (unpadded) tokens in the batch. */
    public int tokenCount() {
        int n = 0;
        for (int m : attentionMask.data()) n += m;
        return n;
    }

    /** The same inputs with other labels. */
    public Batch withLabels(IntTensor newLabels) {
        return new Batch(inputIds, attentionMask, newLabels);
    }
}
