package dev.zerolm.bench;

import dev.zerolm.models.GPTConfig;

/**
 * A model shape and batch the bench trains or runs. The ids ("A", "B", "C", "B-T1024") are shared with
 * bench/pytorch_reference.py, which builds the same shapes.
 *
 * @param id     short name used in row ids
 * @param config the GPT (GPT-2 style: learned positions, LayerNorm, GELU tanh MLP, biases, tied head, no dropout)
 * @param batch  sequences per step
 * @param lean   train in less memory: checkpointed blocks (logits in 32 MB chunks) and AdamW inside backward
 */
public record BenchModel(String id, GPTConfig config, int batch, boolean lean) {

    public BenchModel(String id, GPTConfig config, int batch) {
        this(id, config, batch, false);
    }

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

    /** C trained the lean way: the same model and step, in about half the memory. */
    public static BenchModel cLean() {
        return new BenchModel("C-lean", c().config, c().batch, true);
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
            case "C-lean" -> cLean();
            default -> {
                if (id.startsWith("B-T")) {
                    try {
                        yield bAtBlock(Integer.parseInt(id.substring(3)));
                    } catch (NumberFormatException e) {
                        // reported below
                    }
                }
                throw new IllegalArgumentException("bench: unknown model '" + id + "'; expected A, B, C, C-lean or B-T<block size>");
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
     * floats per layer and token of width C, and one copy of the logits (V per token; the fused loss makes their
     * gradient in place), half as much again for the garbage and recycled gradient arrays around them. A heap much
     * larger than this is not faster: the collector lets the young generation grow into it, and RSS with it.
     * Measured on C (BenchWorker, 2 threads), before the loss was fused (2V per token): -Xmx 4.7 GB gave 258 tok/s
     * at 4.9 GB RSS, 3.8 GB (the formula then) 256 tok/s at 4.0 GB, 3.3 GB 259 tok/s at 3.5 GB; B at T 4096 runs
     * out of memory at 1.1 GB and runs at 1.46 GB.
     * <p>Lean: weights and moments (12 bytes per parameter), the (V, C) output-layer gradient, each block's input,
     * one block's activations twice over and 64 MB of recycled arrays, in the old generation, plus a young
     * generation ({@link #youngGenerationBytes}). Measured on C (ParallelGC, MiB of heap: RSS, s per step): 1,935
     * with a 104 young generation: 2,095, 6.4-7.2 (94 full collections in 8 steps); 1,980 with 180: 2,142, 4.5-4.9;
     * 2,031 with 200: 2,184, 4.6-5.1; an old generation under ~1,780 runs out of memory.
     */
    public long trainingHeapBytes() {
        long C = config.nEmbd(), tokens = tokensPerStep(), V = config.vocabSize();
        if (lean) {
            return 12 * parameters() + 4 * V * C + 4 * tokens * C * (config.nLayer() + 48) + (64L << 20) + youngGenerationBytes();
        }
        long activations = 4 * tokens * (config.nLayer() * 24 * C + V);
        return 16 * parameters() + activations * 3 / 2;
    }

    /**
     * The young generation: 32 MB and two blocks' activations. A training step recycles its activations and
     * gradients ({@code BufferPool}), so they live as long as the weights, in the old generation, and little of a
     * step is garbage (C: 84 MiB); set explicitly, as the launcher's split (half the heap young) would leave the old
     * generation too small for weights and recycled arrays together: the pool's soft references were cleared and
     * a C step made 1.1 GiB of garbage again, 0.6 s of collection per step.
     */
    public long youngGenerationBytes() {
        return (32L << 20) + 4L * tokensPerStep() * config.nEmbd() * 48;
    }

    /** e.g. "6L 6H 384, V 65, T 256, B 8". */
    public String shape() {
        return config.nLayer() + "L " + config.nHead() + "H " + config.nEmbd() + ", V " + config.vocabSize()
                + ", T " + config.blockSize() + ", B " + batch;
    }
}
