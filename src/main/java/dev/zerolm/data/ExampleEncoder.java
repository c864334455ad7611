package dev.zerolm.data;

import dev.zerolm.tokenize.ByteLevelBpe;
import dev.zerolm.tokenize.CharTokenizer;
import dev.zerolm.tokenize.Tokenizer;
import dev.zerolm.tokenize.WordPiece;

import java.util.Arrays;
import java.util.List;

/**
 * Turns task examples into model inputs with one tokenizer, at most maxLength tokens each:
 * <ul>
 *   <li>{@link WordPiece} (BERT, also {@link dev.zerolm.tokenize.WordVocabulary}'s word-level vocabularies):
 *       [CLS] tokens [SEP]; a word's tokens are WordPiece's pieces of it;</li>
 *   <li>{@link ByteLevelBpe} (GPT-2, Llama): no special tokens; every word is encoded with a space in front, as
 *       Hugging Face does for pre-split words (add_prefix_space), so "dog" has the same tokens as in running text;</li>
 *   <li>{@link CharTokenizer}: one token per character, words separated by a space token (when the vocabulary has
 *       one) that belongs to no word;</li>
 *   <li>any other tokenizer: its encoding of each word, no special tokens.</li>
 * </ul>
 * For tagging, a word's label sits on its first token and every other token gets {@link TokenExample#IGNORE},
 * Hugging Face's first-subword alignment. A word that yields no token at all (e.g. only control characters)
 * gets the unknown token, or the pad token when the tokenizer has none, so every word can be scored.
 */
public final class ExampleEncoder {

    private final Tokenizer tokenizer;
    private final int maxLength;
    private final int clsId, sepId, padId, fallbackId, separatorId;
    private final boolean prefixSpace;

    private ExampleEncoder(Tokenizer tokenizer, int maxLength) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        switch (tokenizer) {
            case WordPiece wp -> {
                clsId = wp.clsId();
                sepId = wp.sepId();
                padId = wp.padId();
                fallbackId = wp.unkId();
                separatorId = -1;
                prefixSpace = false;
            }
            case ByteLevelBpe bpe -> {
                clsId = -1;
                sepId = -1;
                padId = bpe.endOfTextId().orElse(0);                     // GPT-2 pads with <|endoftext|>
                fallbackId = padId;
                separatorId = -1;
                prefixSpace = true;
            }
            case CharTokenizer ct -> {
                clsId = -1;
                sepId = -1;
                padId = 0;
                fallbackId = 0;
                separatorId = idOfSpace(ct);
                prefixSpace = false;
            }
            default -> {
                clsId = -1;
                sepId = -1;
                padId = 0;
                fallbackId = 0;
                separatorId = -1;
                prefixSpace = false;
            }
        }
        int specials = (clsId >= 0 ? 1 : 0) + (sepId >= 0 ? 1 : 0);
        if (maxLength < specials + 1) {
            throw new IllegalArgumentException("ExampleEncoder: max length " + maxLength + " leaves no room for a token beside "
                    + specials + " special tokens");
        }
    }

    /** An encoder for this tokenizer that cuts every example to at most maxLength tokens, special tokens included. */
    public static ExampleEncoder of(Tokenizer tokenizer, int maxLength) {
        return new ExampleEncoder(tokenizer, maxLength);
    }

    private static int idOfSpace(CharTokenizer ct) {
        try {
            return ct.encode(" ")[0];
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    /** The id that fills padded positions: [PAD] for WordPiece, &lt;|endoftext|&gt; for GPT-2's BPE, else 0. */
    public int padId() {
        return padId;
    }

    public int maxLength() {
        return maxLength;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The tokens of one word, never empty. */
    public int[] wordTokens(String word) {
        int[] ids = tokenizer.encode(prefixSpace ? " " + word : word);
        return ids.length > 0 ? ids : new int[] {fallbackId};
    }

    /** A sentence of words with one label id per word (use {@link TokenExample#IGNORE} for words not to score). */
    public TokenExample encodeWords(List<String> words, int[] wordLabels) {
        if (wordLabels.length != words.size()) {
            throw new IllegalArgumentException("ExampleEncoder.encodeWords: " + words.size() + " words but " + wordLabels.length + " labels");
        }
        int budget = maxLength - (sepId >= 0 ? 1 : 0);
        int[] ids = new int[maxLength], labels = new int[maxLength], wordIds = new int[maxLength];
        int n = 0;
        if (clsId >= 0) n = put(ids, labels, wordIds, n, clsId, TokenExample.IGNORE, -1);
        for (int w = 0; w < words.size() && n < budget; w++) {
            if (w > 0 && separatorId >= 0) {
                n = put(ids, labels, wordIds, n, separatorId, TokenExample.IGNORE, -1);
                if (n >= budget) break;
            }
            int[] pieces = wordTokens(words.get(w));
            for (int p = 0; p < pieces.length && n < budget; p++) {
                n = put(ids, labels, wordIds, n, pieces[p], p == 0 ? wordLabels[w] : TokenExample.IGNORE, w);
            }
        }
        if (sepId >= 0) n = put(ids, labels, wordIds, n, sepId, TokenExample.IGNORE, -1);
        return new TokenExample(Arrays.copyOf(ids, n), Arrays.copyOf(labels, n), Arrays.copyOf(wordIds, n), words.size());
    }

    private static int put(int[] ids, int[] labels, int[] wordIds, int n, int id, int label, int word) {
        ids[n] = id;
        labels[n] = label;
        wordIds[n] = word;
        return n + 1;
    }

    /** A tagged sentence with its tags mapped to ids by the label vocabulary. */
    public TokenExample encode(TaggedSentence sentence, LabelVocab labels) {
        int[] ids = new int[sentence.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = labels.id(sentence.tags().get(i));
        return encodeWords(sentence.words(), ids);
    }

    /** Token ids of a text for sequence classification: [CLS] text [SEP] for WordPiece, the text's tokens otherwise. */
    public int[] encodeText(String text) {
        if (tokenizer instanceof WordPiece wp) return wp.encodeForModel(text, maxLength).ids();
        int[] ids = tokenizer.encode(text);
        if (ids.length == 0) ids = new int[] {fallbackId};
        return ids.length <= maxLength ? ids : Arrays.copyOf(ids, maxLength);
    }

    /** A text classification example with its label mapped to an id by the label vocabulary. */
    public SequenceExample encode(TextExample example, LabelVocab labels) {
        return new SequenceExample(encodeText(example.text()), labels.id(example.label()));
    }

    /** Every sentence of a tagging split. */
    public List<TokenExample> encodeAll(List<TaggedSentence> sentences, LabelVocab labels) {
        return sentences.stream().map(s -> encode(s, labels)).toList();
    }

    /** Every example of a classification split. */
    public List<SequenceExample> encodeAllTexts(List<TextExample> examples, LabelVocab labels) {
        return examples.stream().map(e -> encode(e, labels)).toList();
    }
}
