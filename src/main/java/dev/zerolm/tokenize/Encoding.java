package dev.zerolm.tokenize;

import dev.zerolm.tensor.IntTensor;

import java.util.Arrays;
import java.util.List;

/**
 * One model input as a BERT-style encoder wants it: token ids with [CLS]/[SEP], the segment (token type) of each
 * token, and the attention mask (1 for a token, 0 for padding).
 */
public record Encoding(int[] ids, int[] tokenTypeIds, int[] attentionMask) {

    public Encoding {
        if (tokenTypeIds.length != ids.length || attentionMask.length != ids.length) {
            throw new IllegalArgumentException("Encoding: " + ids.length + " ids but " + tokenTypeIds.length
                    + " token types and " + attentionMask.length + " mask values");
        }
    }

    public int length() {
        return ids.length;
    }

    /** A batch of encodings padded to one length: each (B, T). */
    public record Batch(IntTensor inputIds, IntTensor tokenTypeIds, IntTensor attentionMask) {}

    /** Right-pads every encoding to the longest one with padId (token type 0, mask 0). */
    public static Batch pad(List<Encoding> encodings, int padId) {
        if (encodings.isEmpty()) throw new IllegalArgumentException("Encoding.pad: no encodings to batch");
        int B = encodings.size(), T = 0;
        for (Encoding e : encodings) T = Math.max(T, e.length());
        int[] ids = new int[B * T], types = new int[B * T], mask = new int[B * T];
        Arrays.fill(ids, padId);
        for (int b = 0; b < B; b++) {
            Encoding e = encodings.get(b);
            System.arraycopy(e.ids, 0, ids, b * T, e.length());
            System.arraycopy(e.tokenTypeIds, 0, types, b * T, e.length());
            System.arraycopy(e.attentionMask, 0, mask, b * T, e.length());
        }
        return new Batch(IntTensor.of(ids, B, T), IntTensor.of(types, B, T), IntTensor.of(mask, B, T));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding e && Arrays.equals(ids, e.ids) && Arrays.equals(tokenTypeIds, e.tokenTypeIds)
                && Arrays.equals(attentionMask, e.attentionMask);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ids) + Arrays.hashCode(tokenTypeIds)) + Arrays.hashCode(attentionMask);
    }

    @Override
    public String toString() {
        return "Encoding[ids=" + Arrays.toString(ids) + ", tokenTypeIds=" + Arrays.toString(tokenTypeIds)
                + ", attentionMask=" + Arrays.toString(attentionMask) + "]";
    }
}
