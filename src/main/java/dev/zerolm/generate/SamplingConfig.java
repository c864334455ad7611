package dev.zerolm.generate;

import java.util.List;

/**
 * How to pick each next token. temperature 0 means greedy (argmax); topK 0 and topP 1 disable those filters.
 *
 * @param maxNewTokens how many tokens to generate at most
 * @param stop         strings that end generation as soon as the generated text contains one (not included)
 */
public record SamplingConfig(int maxNewTokens, float temperature, int topK, float topP, List<String> stop, long seed) {

    public SamplingConfig {
        if (maxNewTokens < 0) throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    public static SamplingConfig greedy(int maxNewTokens) {
        return new SamplingConfig(maxNewTokens, 0f, 0, 1f, List.of(), 0);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }
}
