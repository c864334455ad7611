package dev.zerolm.train;

/**
 * How to pretrain: batch shape, optimiser, schedule and bookkeeping intervals. Defaults follow nanoGPT's
 * small CPU configuration.
 *
 * @param gradAccum      micro-batches per optimiser step (the effective batch is batchSize × gradAccum)
 * @param evalInterval   evaluate on the validation split every this many steps (and at the end)
 * @param evalBatches    batches averaged for one validation loss
 * @param checkpointInterval  save a resumable checkpoint every this many steps (and at the end); 0 = only at the end
 * @param maxSeconds     stop early (with a checkpoint) after this much wall time; 0 = no limit
 */
public record TrainConfig(int steps, int batchSize, int gradAccum, float lr, float minLr, int warmupSteps, String schedule,
                          float weightDecay, float beta1, float beta2, float gradClip, int evalInterval, int evalBatches,
                          int logInterval, int checkpointInterval, long seed, double maxSeconds) {

    public TrainConfig {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (gradAccum < 1) throw new IllegalArgumentException("gradient accumulation must be at least 1, got " + gradAccum);
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        if (evalInterval < 1) throw new IllegalArgumentException("eval interval must be at least 1, got " + evalInterval);
        if (evalBatches < 1) throw new IllegalArgumentException("eval batches must be at least 1, got " + evalBatches);
        if (logInterval < 1) throw new IllegalArgumentException("log interval must be at least 1, got " + logInterval);
        if (checkpointInterval < 0) throw new IllegalArgumentException("checkpoint interval must be >= 0, got " + checkpointInterval);
    }

    /** nanoGPT's CPU run: 2000 steps, batch 12, lr 1e-3 cosine to 1e-4 after 100 warmup steps, AdamW β2 0.99. */
    public static TrainConfig defaults() {
        return new TrainConfig(2000, 12, 1, 1e-3f, 1e-4f, 100, "cosine", 0.1f, 0.9f, 0.99f, 1.0f, 250, 20, 10, 500, 1337, 0);
    }
}
