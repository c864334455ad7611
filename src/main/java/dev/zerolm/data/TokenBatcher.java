package dev.zerolm.data;

import java.util.random.RandomGenerator;

/**
 * Samples training batches from a token stream like nanoGPT's get_batch: batchSize random windows of
 * blockSize tokens as inputs x, and the same windows shifted one token right as targets y.
 * Deterministic given the random generator (e.g. {@code new SplittableRandom(seed)}).
 */
public final class TokenBatcher {

    /**
     * One batch, row-major: x[b * blockSize + t] is token t of window b and y[b * blockSize + t] is the token
     * that follows it.
     */
    public record Batch(int[] x, int[] y, int batchSize, int blockSize) {}

    private final int[] tokens;
    private final int blockSize;
    private final int batchSize;
    private final RandomGenerator rng;

    public TokenBatcher(int[] tokens, int blockSize, int batchSize, RandomGenerator rng) {
        if (blockSize < 1 || batchSize < 1) {
            throw new IllegalArgumentException("TokenBatcher: blockSize " + blockSize + " and batchSize " + batchSize
                    + " must both be at least 1");
        }
        if (tokens.length < blockSize + 1) {
            throw new IllegalArgumentException("TokenBatcher: " + tokens.length + " tokens are too few for blockSize "
                    + blockSize + "; need at least blockSize + 1 = " + (blockSize + 1));
        }
        this.tokens = tokens;
        this.blockSize = blockSize;
        this.batchSize = batchSize;
        this.rng = rng;
    }

    /** The next random batch: window starts uniform in [0, tokens.length - blockSize). */
    public Batch next() {
        int[] x = new int[batchSize * blockSize]; // (B, T)
        int[] y = new int[batchSize * blockSize]; // (B, T)
        for (int b = 0; b < batchSize; b++) {
            int start = rng.nextInt(tokens.length - blockSize);
            System.arraycopy(tokens, start, x, b * blockSize, blockSize);
            System.arraycopy(tokens, start + 1, y, b * blockSize, blockSize);
        }
        return new Batch(x, y, batchSize, blockSize);
    }

    /** Number of tokens in the stream. */
    public int tokenCount() {
        return tokens.length;
    }
}
