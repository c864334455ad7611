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
 * For tagging, one token of each word carries its label and the others get -100 (ignored), and the word's
 * prediction is read at that token: its first, as Hugging Face's token-classification examples do, or its last
 * ({@link LabelToken}). Every token also records where its word starts, for a head that reads a word's first and
 * last tokens side by side.
 */
public final class TaskEncoder {

    /**
     * Token ids of one input and its labels: one (sequence task) or one per token, -100 where none; for tagging,
     * wordStarts[t] is the position of the first token of t's word (t itself for [CLS] and [SEP]), else null.
     */
    public record Encoded(int[] ids, int[] labels, int[] wordStarts) {}

    /**
     * ids; the position of the token that carries each kept word's label (words cut off by maxLength are absent);
     * per token, the position of its word's first token.
     */
    public record Words(int[] ids, int[] labelTokens, int[] wordStarts) {}

    /**
     * Which of a word's tokens carries its label. FIRST is Hugging Face's alignment; LAST puts it where a word's
     * ending is ("walk ##ing"), which is what marks most English part-of-speech tags, so a model need not first
     * carry the ending back to the word's first token through attention. BOTH puts it on the last token too, and
     * the head reads the last token's state next to the first token's (where a capital or a stem is): a tagger
     * with {@link TokenClassifier#readsWordStarts() twice as wide} a head.
     */
    public enum LabelToken {
        FIRST, LAST, BOTH;

        /** first, last or both, as the CLI and finetune_config.json spell them. */
        public static LabelToken parse(String name) {
            for (LabelToken t : values()) if (t.cliName().equals(name)) return t;
            throw new IllegalArgumentException("unknown label token '" + name + "': use first, last or both");
        }

        public String cliName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Tokenizer tokenizer;
    private final int maxLength;
    private final int padId;
    private final LabelToken labelToken;

    public TaskEncoder(Tokenizer tokenizer, int maxLength) {
        this(tokenizer, maxLength, LabelToken.FIRST);
    }

    public TaskEncoder(Tokenizer tokenizer, int maxLength, LabelToken labelToken) {
        if (maxLength < 3) throw new IllegalArgumentException("task encoder: maxLength must be >= 3, got " + maxLength);
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.padId = tokenizer instanceof WordPiece wp ? wp.padId() : 0;
        this.labelToken = labelToken;
    }

    /** Token ids of a text, cut to maxLength (with [CLS]/[SEP] for WordPiece). */
    public int[] text(String text) {
        if (tokenizer instanceof WordPiece wp) return wp.encodeForModel(text, maxLength).ids();
        int[] ids = tokenizer.encode(text);
        if (ids.length == 0) throw new IllegalArgumentException("task encoder: text \"" + text + "\" has no tokens");
        return Arrays.copyOf(ids, Math.min(ids.length, maxLength));
    }

    /** Tokens the whole text takes, [CLS]/[SEP] included: more than {@link #maxLength()} means {@link #text} cuts it. */
    public int tokenCount(String text) {
        return tokenizer instanceof WordPiece wp ? wp.encode(text).length + 2 : tokenizer.encode(text).length;
    }

    /** Token ids of pre-split words and each word's label token; words that do not fit in maxLength are dropped. */
    public Words words(List<String> words) {
        WordPiece wp = tokenizer instanceof WordPiece w ? w : null;
        int budget = wp != null ? maxLength - 1 : maxLength;     // room for [SEP]
        List<Integer> ids = new ArrayList<>();
        List<Integer> labelTokens = new ArrayList<>(), wordStarts = new ArrayList<>();
        if (wp != null) {
            ids.add(wp.clsId());
            wordStarts.add(0);
        }
        for (int i = 0; i < words.size(); i++) {
            int[] pieces = wp != null ? wp.encode(words.get(i)) : tokenizer.encode(i == 0 ? words.get(i) : " " + words.get(i));
            if (pieces.length == 0) pieces = wp != null ? new int[] {wp.unkId()} : tokenizer.encode(" ");
            if (ids.size() + pieces.length > budget) break;
            int start = ids.size();
            labelTokens.add(start + (labelToken == LabelToken.FIRST ? 0 : pieces.length - 1));
            for (int p : pieces) {
                ids.add(p);
                wordStarts.add(start);
            }
        }
        if (wp != null) {
            wordStarts.add(ids.size());
            ids.add(wp.sepId());
        }
        return new Words(ints(ids), ints(labelTokens), ints(wordStarts));
    }

    private static int[] ints(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    /** One unlabelled tagging input as a batch of one (ids and word starts (1, T)), for prediction. */
    public Finetuner.Batch wordsBatch(Words w) {
        int T = w.ids().length;
        return new Finetuner.Batch(IntTensor.of(w.ids(), 1, T), null, null, IntTensor.of(w.wordStarts(), 1, T));
    }

    public Encoded sequence(TextExample e, LabelVocab labels) {
        return new Encoded(text(e.text()), new int[] {labels.id(e.label())}, null);
    }

    /**
     * Pre-split words as one input, or, when they do not fit in maxLength, as several: each window starts at the first
     * word the previous one could not hold, so every word gets a label token (one cut off would be neither trained on
     * nor scored nor predicted). source names the text in the error a word too long for any window gets.
     */
    public List<Words> wordWindows(List<String> words, String source) {
        List<Words> windows = new ArrayList<>();
        for (int from = 0; from < words.size(); ) {
            Words w = words(words.subList(from, words.size()));
            if (w.labelTokens().length == 0) {
                throw new IllegalArgumentException(source + ": the word '" + words.get(from) + "' alone takes more than "
                        + maxLength + " tokens");
            }
            windows.add(w);
            from += w.labelTokens().length;
        }
        return windows;
    }

    /** A sentence as one example per {@link #wordWindows window}. */
    public List<Encoded> taggedWindows(TaggedSentence s, LabelVocab labels) {
        List<Encoded> examples = new ArrayList<>();
        int from = 0;
        for (Words w : wordWindows(s.words(), s.source())) {
            examples.add(labelled(w, s.tags().subList(from, s.size()), labels));
            from += w.labelTokens().length;
        }
        return examples;
    }

    /** A sentence as one example; words that do not fit in maxLength are dropped (see {@link #taggedWindows}). */
    public Encoded tagged(TaggedSentence s, LabelVocab labels) {
        return labelled(words(s.words()), s.tags(), labels);
    }

    /** w's ids with tags[i] at word i's label token and IGNORE_INDEX everywhere else. */
    private static Encoded labelled(Words w, List<String> tags, LabelVocab labels) {
        int[] y = new int[w.ids().length];
        Arrays.fill(y, TaskModel.IGNORE_INDEX);
        for (int i = 0; i < w.labelTokens().length; i++) y[w.labelTokens()[i]] = labels.id(tags.get(i));
        return new Encoded(w.ids(), y, w.wordStarts());
    }

    /**
     * Right-pads encoded examples into a batch (sequence labels (B), token labels (B, T) padded with -100; for
     * tagging, word starts (B, T) with a padding position its own start).
     */
    public Finetuner.Batch collate(List<Encoded> examples, boolean tokenTask) {
        int B = examples.size(), T = 0;
        for (Encoded e : examples) T = Math.max(T, e.ids().length);
        int[] ids = new int[B * T], mask = new int[B * T], labels = new int[tokenTask ? B * T : B];
        int[] starts = tokenTask ? new int[B * T] : null;
        Arrays.fill(ids, padId);
        Arrays.fill(labels, TaskModel.IGNORE_INDEX);
        for (int b = 0; b < B; b++) {
            Encoded e = examples.get(b);
            int n = e.ids().length;
            System.arraycopy(e.ids(), 0, ids, b * T, n);
            Arrays.fill(mask, b * T, b * T + n, 1);
            if (tokenTask) {
                System.arraycopy(e.labels(), 0, labels, b * T, n);
                for (int t = 0; t < T; t++) starts[b * T + t] = t < n && e.wordStarts() != null ? e.wordStarts()[t] : t;
            } else {
                labels[b] = e.labels()[0];
            }
        }
        return new Finetuner.Batch(IntTensor.of(ids, B, T), IntTensor.of(mask, B, T),
                tokenTask ? IntTensor.of(labels, B, T) : IntTensor.of(labels, B), tokenTask ? IntTensor.of(starts, B, T) : null);
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int maxLength() {
        return maxLength;
    }
}
