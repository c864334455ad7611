package dev.zerolm.bench;

import dev.zerolm.models.GPTConfig;

/**
 * A model shape and batch the bench trains or runs. The ids ("A", "B", "C", "B-T1024") are shared with
 * bench/pytorch_reference.py, which builds the same shapes.
 *
 * @param id     short name used in row ids
 * @param config the GPT (GPT-2 style: learned positions, LayerNorm, GELU tanh MLP, biases, tied head, no dropout)
 * @param batch  sequences per step
 */
public record BenchModel(String id, GPTConfig config, int batch) {

    /** Tokens per step of scaling runs: the batch shrinks as the block grows. */
    public static final int SCALING_TOKENS = 2048;

    /** nanoGPT's CPU character model: vocab 65, 4 layers, 4 heads, 128 wide, block 64, batch 12. */
    public static BenchModel a() {
        return new BenchModel("A", GPTConfig.gpt2(65, 64, 4, 4, 128), 12);
    }

    /** nanoGPT's Shakespeare-char model without dropout: vocab 65, 6 layers, 6 heads, 384 wide, block 256, batch 8. */
    public static BenchModel b() {
        return new BenchModel("B", GPTConfig.gpt2(65, 256, 6, 6, 384), 8);
    }

    /** GPT-2 124M: vocab 50257, 12 layers, 12 heads, 768 wide, block 256 (of its 1024), batch 4. */
    public static BenchModel c() {
        return new BenchModel("C", GPTConfig.gpt2(GPTConfig.GPT2_VOCAB_SIZE, 256, 12, 12, 768), 4);
    }

    /**
     * Model B at context blockSize with batch {@link #SCALING_TOKENS}/blockSize, so only the attention's share
     * of the work grows; at least one sequence, so past 2048 the tokens per step grow too.
     */
    public static BenchModel bAtBlock(int blockSize) {
        return new BenchModel("B-T" + blockSize, b().config.withBlockSize(blockSize), Math.max(1, SCALING_TOKENS / blockSize));
    }

    /** The model named by id: "A", "B", "C" or "B-T&lt;block&gt;". */
    public static BenchModel byId(String id) {
        return switch (id) {
            case "A" -> a();
            case "B" -> b();
            case "C" -> c();
            default -> {
                if (id.startsWith("B-T")) {
                    try {
                        yield bAtBlock(Integer.parseInt(id.substring(3)));
                    } catch (NumberFormatException e) {
                        // reported below
                    }
                }
                throw new IllegalArgumentException("bench: unknown model '" + id + "'; expected A, B, C or B-T<block size>");
            }
        };
    }

    public int blockSize() {
        return config.blockSize();
    }

    /** Tokens in one training or forward step: batch x block. */
    public int tokensPerStep() {
        return batch * config.blockSize();
    }

    /** Weights of this GPT-2 shaped model: token and position tables, per block 12C² + 13C, the final LayerNorm. */
    public long parameters() {
        long C = config.nEmbd();
        return config.vocabSize() * C + config.blockSize() * C + config.nLayer() * (12 * C * C + 13 * C) + 2 * C;
    }

    /**
     * A Java heap that holds one training step of this model with room to spare: weights, gradients and AdamW's
     * two moments (16 bytes per parameter, long-lived), plus what the forward pass keeps for backward, about 24
     * floats per layer and token of width C and the logits with their gradient (2V per token), half as much again
     * for the garbage and recycled gradient arrays around them. A heap much larger than this is not faster: the
     * collector lets the young generation grow into it, and RSS with it. Measured on C (BenchWorker, 2 threads):
     * -Xmx 4.7 GB gave 258 tok/s at 4.9 GB RSS, 3.8 GB (this formula) 256 tok/s at 4.0 GB, 3.3 GB 259 tok/s at 3.5 GB;
     * B at T 4096 runs out of memory at 1.1 GB and runs at 1.46 GB (this formula).
     */
    public long trainingHeapBytes() {
        long C = config.nEmbd(), tokens = tokensPerStep();
        long activations = 4 * tokens * (config.nLayer() * 24 * C + 2L * config.vocabSize());
        return 16 * parameters() + activations * 3 / 2;
    }

    /** e.g. "6L 6H 384, V 65, T 256, B 8". */
    public String shape() {
        return config.nLayer() + "L " + config.nHead() + "H " + config.nEmbd() + ", V " + config.vocabSize()
                + ", T " + config.blockSize() + ", B " + batch;
    }
}
