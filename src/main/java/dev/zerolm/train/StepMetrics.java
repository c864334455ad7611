package dev.zerolm.train;

/**
 * What the trainer records about one optimisation step: one line of the metrics log, one point of the loss curve.
 *
 * @param step            0-based optimisation step
 * @param loss            training loss (mean over the step's micro-batches)
 * @param valLoss         validation loss, or null when validation did not run at this step
 * @param lr              learning rate used for the step
 * @param tokensPerSecond training throughput around this step
 * @param elapsedSeconds  wall time since training started
 */
public record StepMetrics(int step, float loss, Float valLoss, float lr, double tokensPerSecond, double elapsedSeconds) {

    /** A step without validation. */
    public static StepMetrics train(int step, float loss, float lr, double tokensPerSecond, double elapsedSeconds) {
        return new StepMetrics(step, loss, null, lr, tokensPerSecond, elapsedSeconds);
    }

    public StepMetrics withValLoss(float value) {
        return new StepMetrics(step, loss, value, lr, tokensPerSecond, elapsedSeconds);
    }
}
