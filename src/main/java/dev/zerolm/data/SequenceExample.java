package dev.zerolm.data;

import java.util.Arrays;

/** One tokenized text for sequence classification: its token ids and its label id. */
public record SequenceExample(int[] ids, int label) {

    public int length() {
        return ids.length;
    }

    @Override
    public String toString() {
        return "SequenceExample[ids=" + Arrays.toString(ids) + ", label=" + label + "]";
    }
}
