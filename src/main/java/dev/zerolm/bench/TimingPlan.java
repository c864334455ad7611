package dev.zerolm.bench;

/**
 * How long to warm up and how much to time. Steps that are quick (a tiny model) repeat until a minimum time has
 * passed, so the JIT has compiled the hot loops before timing starts and the median is not one lucky step;
 * slow steps (GPT-2 124M) stop at the step counts.
 *
 * @param warmupSteps       untimed steps run first, at least
 * @param timedSteps        timed steps, at least
 * @param minWarmupSeconds  keep warming up until this much time has passed
 * @param minTimedSeconds   keep timing until this much time has passed
 * @param maxTimedSteps     never more timed steps than this
 */
public record TimingPlan(int warmupSteps, int timedSteps, double minWarmupSeconds, double minTimedSeconds,
                         int maxTimedSteps) {

    public TimingPlan {
        if (warmupSteps < 0 || timedSteps < 1 || maxTimedSteps < timedSteps || minWarmupSeconds < 0 || minTimedSeconds < 0) {
            throw new IllegalArgumentException("TimingPlan: need warmup >= 0, 1 <= timed <= max timed, seconds >= 0; got warmup "
                    + warmupSteps + ", timed " + timedSteps + ", max " + maxTimedSteps + ", seconds " + minWarmupSeconds
                    + "/" + minTimedSeconds);
        }
    }

    /**
     * The default: 2 warm-up steps (at least 5 s), 5 timed steps (at least 2 s). The JIT compiles a training step's
     * vector kernels over several seconds on 2 cores: train A measured 16.6k tok/s (median) after 1 s of warm-up,
     * 22.8k after 5 s. PyTorch's script gets the same warm-up.
     */
    public static TimingPlan standard(int timedSteps, int warmupSteps) {
        return new TimingPlan(warmupSteps, timedSteps, 5.0, 2.0, Math.max(timedSteps, 50));
    }

    /** A smoke run: 1 warm-up step, 3 timed steps, little minimum time. */
    public static TimingPlan quick(int timedSteps, int warmupSteps) {
        return new TimingPlan(warmupSteps, timedSteps, 0.3, 0.5, Math.max(timedSteps, 20));
    }

    /** Runs prepare (untimed) then step (timed) by this plan; returns the seconds of each timed step. */
    public double[] time(Runnable prepare, Runnable step) {
        return time(prepare, step, () -> {});
    }

    /** As {@link #time(Runnable, Runnable)}, running afterWarmup once between the warm-up and the timed steps. */
    public double[] time(Runnable prepare, Runnable step, Runnable afterWarmup) {
        long warmEnd = System.nanoTime() + (long) (minWarmupSeconds * 1e9);
        for (int i = 0; i < warmupSteps || System.nanoTime() < warmEnd; i++) {
            prepare.run();
            step.run();
        }
        afterWarmup.run();
        double[] seconds = new double[maxTimedSteps];
        double total = 0;
        int n = 0;
        while (n < timedSteps || (total < minTimedSeconds && n < maxTimedSteps)) {
            prepare.run();
            long t0 = System.nanoTime();
            step.run();
            seconds[n] = (System.nanoTime() - t0) * 1e-9;
            total += seconds[n++];
        }
        return java.util.Arrays.copyOf(seconds, n);
    }
}
