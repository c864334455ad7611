package dev.zerolm.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a byte-level BPE read from a Hugging Face tokenizer.json may do beyond GPT-2's encoder.py: cut pieces
 * with another regex (Llama 3's), give a space to the start of the text, emit a piece that is itself a token
 * without merging (ignore_merges), match added tokens such as "&lt;|end_of_text|&gt;" whole before anything
 * else, and name the token the post-processor puts first.
 *
 * @param pattern        the pre-tokenizer regex, each match and each gap between matches one piece; null: GPT-2's
 * @param addPrefixSpace whether a text (each stretch between added tokens) that does not start with ' ' gets one
 * @param ignoreMerges   whether a piece found whole in the vocabulary becomes that token without merging
 * @param addedTokens    token contents matched literally in the text, longest first
 * @param bosToken       the token the post-processor prepends (Llama's "&lt;|begin_of_text|&gt;"), or null
 */
record BpeOptions(Pattern pattern, boolean addPrefixSpace, boolean ignoreMerges, List<String> addedTokens,
                  String bosToken) {

    /** GPT-2's own tokenizer (encoder.json + vocab.bpe): its regex, nothing else. */
    static final BpeOptions GPT2 = new BpeOptions(null, false, false, List.of(), null);

    BpeOptions {
        addedTokens = List.copyOf(addedTokens);
    }

    boolean isGpt2() {
        return pattern == null && !addPrefixSpace && !ignoreMerges && addedTokens.isEmpty() && bosToken == null;
    }

    /** Calls the sink for every piece of text (no added tokens in it), in order; the pieces tile the text. */
    void split(String text, Gpt2PreTokenizer.PieceSink sink) {
        if (pattern == null) {
            Gpt2PreTokenizer.split(text, sink);
            return;
        }
        Matcher m = pattern.matcher(text);
        int at = 0;
        while (m.find()) {
            if (m.end() == m.start()) continue;       // an empty match cuts nothing
            if (m.start() > at) sink.accept(at, m.start());
            sink.accept(m.start(), m.end());
            at = m.end();
        }
        if (at < text.length()) sink.accept(at, text.length());
    }

    /** A pattern matching any added token, longest first; null when there are none. */
    Pattern addedTokenPattern() {
        if (addedTokens.isEmpty()) return null;
        List<String> byLength = new ArrayList<>(addedTokens);
        byLength.sort((a, b) -> b.length() - a.length());
        StringBuilder alternatives = new StringBuilder();
        for (String t : byLength) {
            if (t.isEmpty()) continue;
            if (!alternatives.isEmpty()) alternatives.append('|');
            alternatives.append(Pattern.quote(t));
        }
        return alternatives.isEmpty() ? null : Pattern.compile(alternatives.toString());
    }
}
