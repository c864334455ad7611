package dev.zerolm.finetune;

import dev.zerolm.data.LabelVocab;
import dev.zerolm.data.TaggedSentence;
import dev.zerolm.data.TextExample;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tokenize.Tokenizer;
import dev.zerolm.tokenize.WordPiece;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns text and tagged words into model inputs with any tokenizer. A WordPiece tokenizer gets BERT's
 * [CLS] ... [SEP] around every input; others (char, byte BPE) get the bare tokens, words joined by spaces.
 * For tagging, a word's label goes on its first token and its other tokens get -100 (ignored), as Hugging Face's
 * token-classification examples do; a prediction for a word is read at its first token.
 */
public final class TaskEncoder {

    /** Token ids of one input and its labels: one (sequence task) or one per token, -100 where none. */
    public record Encoded(int[] ids, int[] labels) {}

    /** ids, and the position of each kept word's first token (words cut off by maxLength are absent). */
    public record Words(int[] ids, int[] firstToken) {}

    private final Tokenizer tokenizer;
    private final int maxLength;
    private final int padId;

    public TaskEncoder(Tokenizer tokenizer, int maxLength) {
        if (maxLength < 3) throw new IllegalArgumentException("task encoder: maxLength must be >= 3, got " + maxLength);
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.padId = tokenizer instanceof WordPiece wp ? wp.padId() : 0;
    }

    /** Token ids of a text, cut to maxLength (with [CLS]/[SEP] for WordPiece). */
    public int[] text(String text) {
        if (tokenizer instanceof WordPiece wp) return wp.encodeForModel(text, maxLength).ids();
        int[] ids = tokenizer.encode(text);
        if (ids.length == 0) throw new IllegalArgumentException("task encoder: text \"" + text + "\" has no tokens");
        return Arrays.copyOf(ids, Math.min(ids.length, maxLength));
    }

    /** Token ids of pre-split words and where each word starts; words that do not fit in maxLength are dropped. */
    public Words words(List<String> words) {
        WordPiece wp = tokenizer instanceof WordPiece w ? w : null;
        int budget = wp != null ? maxLength - 1 : maxLength;     // room for [SEP]
        List<Integer> ids = new ArrayList<>();
        List<Integer> first = new ArrayList<>();
        if (wp != null) ids.add(wp.clsId());
        for (int i = 0; i < words.size(); i++) {
            int[] pieces = wp != null ? wp.encode(words.get(i)) : tokenizer.encode(i == 0 ? words.get(i) : " " + words.get(i));
            if (pieces.length == 0) pieces = wp != null ? new int[] {wp.unkId()} : tokenizer.encode(" ");
            if (ids.size() + pieces.length > budget) break;
            first.add(ids.size());
            for (int p : pieces) ids.add(p);
        }
        if (wp != null) ids.add(wp.sepId());
        return new Words(ids.stream().mapToInt(Integer::intValue).toArray(), first.stream().mapToInt(Integer::intValue).toArray());
    }

    public Encoded sequence(TextExample e, LabelVocab labels) {
        return new Encoded(text(e.text()), new int[] {labels.id(e.label())});
    }

    public Encoded tagged(TaggedSentence s, LabelVocab labels) {
        Words w = words(s.words());
        int[] y = new int[w.ids().length];
        Arrays.fill(y, TaskModel.IGNORE_INDEX);
        for (int i = 0; i < w.firstToken().length; i++) y[w.firstToken()[i]] = labels.id(s.tags().get(i));
        return new Encoded(w.ids(), y);
    }

    /** Right-pads encoded examples into a batch (sequence labels (B), token labels (B, T) padded with -100). */
    public Finetuner.Batch collate(List<Encoded> examples, boolean tokenTask) {
        int B = examples.size(), T = 0;
        for (Encoded e : examples) T = Math.max(T, e.ids().length);
        int[] ids = new int[B * T], mask = new int[B * T], labels = new int[tokenTask ? B * T : B];
        Arrays.fill(ids, padId);
        Arrays.fill(labels, TaskModel.IGNORE_INDEX);
        for (int b = 0; b < B; b++) {
            Encoded e = examples.get(b);
            System.arraycopy(e.ids(), 0, ids, b * T, e.ids().length);
            Arrays.fill(mask, b * T, b * T + e.ids().length, 1);
            if (tokenTask) System.arraycopy(e.labels(), 0, labels, b * T, e.labels().length);
            else labels[b] = e.labels()[0];
        }
        return new Finetuner.Batch(IntTensor.of(ids, B, T), IntTensor.of(mask, B, T),
                tokenTask ? IntTensor.of(labels, B, T) : IntTensor.of(labels, B));
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int maxLength() {
        return maxLength;
    }
}
