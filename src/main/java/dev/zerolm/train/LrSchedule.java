package dev.zerolm.train;

/**
 * The learning rate at each optimisation step (0-based); the trainer calls
 * {@code optimizer.setLearningRate(schedule.lr(step))} before every step. Values are computed in double and
 * rounded to float once.
 */
@FunctionalInterface
public interface LrSchedule {

    float lr(int step);

    /** Names accepted by {@link #named}. */
    java.util.List<String> NAMES = java.util.List.of("constant", "cosine", "linear");

    /**
     * The schedule called name: "constant" (maxLr throughout, no warmup, as nanoGPT with decay_lr=False),
     * "cosine" ({@link WarmupCosine}) or "linear" ({@link LinearDecay}).
     */
    static LrSchedule named(String name, float maxLr, float minLr, int warmupSteps, int totalSteps) {
        return switch (name) {
            case "constant" -> new Constant(maxLr);
            case "cosine" -> new WarmupCosine(maxLr, minLr, warmupSteps, totalSteps);
            case "linear" -> new LinearDecay(maxLr, minLr, warmupSteps, totalSteps);
            default -> throw new IllegalArgumentException("unknown learning-rate schedule '" + name + "'; choose one of " + NAMES);
        };
    }

    /** The same rate at every step. */
    record Constant(float lr) implements LrSchedule {
        public Constant {
            if (!(lr >= 0) || Float.isInfinite(lr)) throw new IllegalArgumentException("constant schedule: lr must be finite and >= 0, got " + lr);
        }

        @Override
        public float lr(int step) {
            return lr;
        }
    }

    /**
     * nanoGPT's get_lr: linear warmup {@code maxLr * (step + 1) / (warmupSteps + 1)} for the first warmupSteps
     * steps, then cosine decay from maxLr to minLr, reached at totalSteps (nanoGPT's lr_decay_iters), then minLr.
     * The warmup is the newer nanoGPT form ((it+1)/(warmup+1)): the first step already has a non-zero rate.
     */
    record WarmupCosine(float maxLr, float minLr, int warmupSteps, int totalSteps) implements LrSchedule {
        public WarmupCosine {
            checkArguments("cosine", maxLr, minLr, warmupSteps, totalSteps);
        }

        @Override
        public float lr(int step) {
            double max = Optimizer.widen(maxLr), min = Optimizer.widen(minLr);
            if (step < warmupSteps) return (float) (max * (step + 1) / (warmupSteps + 1));
            if (step > totalSteps) return minLr;
            double decayRatio = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
            double coefficient = 0.5 * (1.0 + Math.cos(Math.PI * decayRatio)); // 1 -> 0
            return (float) (min + coefficient * (max - min));
        }
    }

    /**
     * The same warmup as {@link WarmupCosine}, then a straight line from maxLr at step warmupSteps to minLr at
     * step totalSteps (use minLr = 0 for the usual decay to zero), then minLr.
     */
    record LinearDecay(float maxLr, float minLr, int warmupSteps, int totalSteps) implements LrSchedule {
        public LinearDecay {
            checkArguments("linear", maxLr, minLr, warmupSteps, totalSteps);
        }

        @Override
        public float lr(int step) {
            double max = Optimizer.widen(maxLr), min = Optimizer.widen(minLr);
            if (step < warmupSteps) return (float) (max * (step + 1) / (warmupSteps + 1));
            if (step > totalSteps) return minLr;
            double decayRatio = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
            return (float) (max + decayRatio * (min - max));
        }
    }

    private static void checkArguments(String kind, float maxLr, float minLr, int warmupSteps, int totalSteps) {
        if (!(maxLr >= 0) || Float.isInfinite(maxLr) || !(minLr >= 0) || Float.isInfinite(minLr)) {
            throw new IllegalArgumentException(kind + " schedule: learning rates must be finite and >= 0, got max "
                    + maxLr + " and min " + minLr);
        }
        if (warmupSteps < 0 || totalSteps <= warmupSteps) {
            throw new IllegalArgumentException(kind + " schedule: needs 0 <= warmupSteps < totalSteps, got warmup "
                    + warmupSteps + " and total " + totalSteps);
        }
    }
}
