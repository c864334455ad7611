package dev.zerolm.tokenize;

/**
 * How a {@link WordPiece} tokenizer normalises text and which tokens are special. Mirrors Hugging Face's
 * BertTokenizer options (tokenizer_config.json: do_lower_case, strip_accents, tokenize_chinese_chars).
 *
 * @param lowercase             lower-case the text (uncased models)
 * @param stripAccents          remove accents (NFD, drop non-spacing marks); Hugging Face's default is "as lowercase"
 * @param handleChineseChars    make every CJK ideograph a word of its own
 * @param maxInputCharsPerWord  longer words (in code points) become the unknown token, as in BERT (100)
 * @param continuingPrefix      marks a piece that continues a word ("##")
 */
public record WordPieceConfig(boolean lowercase, boolean stripAccents, boolean handleChineseChars,
                              int maxInputCharsPerWord, String continuingPrefix,
                              String unkToken, String clsToken, String sepToken, String padToken, String maskToken) {

    public WordPieceConfig {
        if (maxInputCharsPerWord <= 0) {
            throw new IllegalArgumentException("WordPieceConfig: max input chars per word must be positive, got "
                    + maxInputCharsPerWord);
        }
        if (continuingPrefix == null || unkToken == null || clsToken == null || sepToken == null || padToken == null
                || maskToken == null) {
            throw new IllegalArgumentException("WordPieceConfig: the prefix and the five special tokens must be set");
        }
    }

    /** bert-base-uncased's settings: lower-case, strip accents, split CJK, [UNK] [CLS] [SEP] [PAD] [MASK]. */
    public static WordPieceConfig uncased() {
        return new WordPieceConfig(true, true, true, 100, "##", "[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]");
    }

    /** bert-base-cased's settings: case and accents kept. */
    public static WordPieceConfig cased() {
        return uncased().withNormalization(false, false, true);
    }

    public WordPieceConfig withNormalization(boolean lowercase, boolean stripAccents, boolean handleChineseChars) {
        return new WordPieceConfig(lowercase, stripAccents, handleChineseChars, maxInputCharsPerWord, continuingPrefix,
                unkToken, clsToken, sepToken, padToken, maskToken);
    }

    public WordPieceConfig withSpecialTokens(String unk, String cls, String sep, String pad, String mask) {
        return new WordPieceConfig(lowercase, stripAccents, handleChineseChars, maxInputCharsPerWord, continuingPrefix,
                unk, cls, sep, pad, mask);
    }

    public WordPieceConfig withMaxInputCharsPerWord(int max) {
        return new WordPieceConfig(lowercase, stripAccents, handleChineseChars, max, continuingPrefix,
                unkToken, clsToken, sepToken, padToken, maskToken);
    }

    public WordPieceConfig withContinuingPrefix(String prefix) {
        return new WordPieceConfig(lowercase, stripAccents, handleChineseChars, maxInputCharsPerWord, prefix,
                unkToken, clsToken, sepToken, padToken, maskToken);
    }

    /** The pre-tokenizer these settings describe. */
    public BertBasicTokenizer basicTokenizer() {
        return new BertBasicTokenizer(lowercase, stripAccents, handleChineseChars);
    }
}
