package dev.zerolm.train;

import java.io.Console;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Shows training progress: {@code step 120/5000 | loss 3.2145 | lr 6.00e-04 | 12,345 tok/s | 1m02s | ETA 41m10s}.
 * On a terminal the line is redrawn in place with {@code \r} (at most every 100 ms, and always on the last
 * step); in a log file or pipe a plain line is printed at the first step, then every {@code plainIntervalSeconds},
 * and at the last step. The line counts steps done (1-based); tok/s is measured since the previous line; the ETA
 * extrapolates the average step time of this run (a resumed run counts from its first step).
 */
public final class ProgressReporter {

    private static final long REDRAW_NANOS = 100_000_000L;

    private final int totalSteps;
    private final PrintStream out;
    private final boolean interactive;
    private final long plainIntervalNanos;
    private final LongSupplier clock;
    private final long startNanos;

    private int firstStep = -1;     // the first step seen: a resumed run starts part way
    private int stepsDone;
    private long tokensTotal;
    private long lastLineNanos;
    private long tokensSinceLine;
    private double lastRate;
    private int pendingWidth;       // characters of the in-place line now on screen (0: none)
    private boolean lastStepShown;
    private boolean anyShown;

    /**
     * @param totalSteps           steps of the whole run (for step/total and the ETA)
     * @param out                  where lines go
     * @param interactive          redraw one line in place (a terminal) rather than print periodic lines
     * @param plainIntervalSeconds seconds between plain lines
     * @param clock                nanosecond clock (System::nanoTime; tests pass a fake one)
     */
    public ProgressReporter(int totalSteps, PrintStream out, boolean interactive, double plainIntervalSeconds, LongSupplier clock) {
        if (totalSteps < 1) throw new IllegalArgumentException("ProgressReporter: totalSteps must be >= 1, got " + totalSteps);
        this.totalSteps = totalSteps;
        this.out = out;
        this.interactive = interactive;
        this.plainIntervalNanos = (long) (plainIntervalSeconds * 1e9);
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.lastLineNanos = startNanos;
    }

    /** Progress on System.out: in place on a terminal, else a line every 10 seconds. */
    public static ProgressReporter forConsole(int totalSteps) {
        return new ProgressReporter(totalSteps, System.out, isTerminal(), 10.0, System::nanoTime);
    }

    /** True when standard output is a terminal (JDK 22+ gives a Console even when redirected, so ask it). */
    public static boolean isTerminal() {
        Console c = System.console();
        return c != null && c.isTerminal();
    }

    /**
     * Records a finished optimisation step (0-based) that processed tokens tokens, and shows it when due.
     * Returns the tokens per second measured for the current line (use it for the metrics log).
     */
    public double step(int step, float loss, float lr, long tokens) {
        long now = clock.getAsLong();
        if (firstStep < 0) firstStep = step;
        stepsDone = step + 1;
        tokensTotal += tokens;
        tokensSinceLine += tokens;
        long sinceLine = now - lastLineNanos;
        if (sinceLine > 0) lastRate = tokensSinceLine / (sinceLine / 1e9);
        boolean last = stepsDone >= totalSteps;
        boolean due = interactive
                ? sinceLine >= REDRAW_NANOS || last || pendingWidth == 0
                : sinceLine >= plainIntervalNanos || last || !anyShown;
        if (due) {
            show(formatLine(step, loss, lr, now));
            lastLineNanos = now;
            tokensSinceLine = 0;
            lastStepShown = last;
            anyShown = true;
        }
        return lastRate;
    }

    /** Prints a permanent validation line (clearing the in-place line first on a terminal). */
    public void validation(int step, float valLoss) {
        String line = String.format(Locale.ROOT, "step %d: val loss %.4f", step, valLoss);
        if (interactive && pendingWidth > 0) {
            out.print("\r" + pad(line, pendingWidth) + "\n");
            pendingWidth = 0;
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the in-place line and prints a summary: steps this run, wall time, average tokens per second. */
    public void finish() {
        if (interactive && pendingWidth > 0) out.println();
        pendingWidth = 0;
        double seconds = elapsedSeconds();
        int ran = firstStep < 0 ? 0 : stepsDone - firstStep;
        out.printf(Locale.ROOT, "done: %d steps in %s, %s tok/s on average%n", ran, duration(seconds),
                thousands(seconds > 0 ? tokensTotal / seconds : 0));
        out.flush();
    }

    /** Wall time since this reporter was made. */
    public double elapsedSeconds() {
        return (clock.getAsLong() - startNanos) / 1e9;
    }

    /** Tokens per second over the whole run so far. */
    public double averageTokensPerSecond() {
        double s = elapsedSeconds();
        return s > 0 ? tokensTotal / s : 0;
    }

    /** True once the last step's line has been shown. */
    boolean lastStepShown() {
        return lastStepShown;
    }

    private void show(String line) {
        if (interactive) {
            out.print("\r" + pad(line, pendingWidth));
            pendingWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    private String formatLine(int step, float loss, float lr, long now) {
        double elapsed = (now - startNanos) / 1e9;
        double perStep = elapsed / (stepsDone - firstStep);
        String eta = stepsDone >= totalSteps ? "done" : "ETA " + duration(perStep * (totalSteps - stepsDone));
        int width = Integer.toString(totalSteps).length();
        return String.format(Locale.ROOT, "step %" + width + "d/%d | loss %.4f | lr %.2e | %s tok/s | %s | %s",
                stepsDone, totalSteps, loss, lr, thousands(lastRate), duration(elapsed), eta);
    }

    /** line followed by spaces up to width, so a shorter line fully covers a longer one redrawn in place. */
    private static String pad(String line, int width) {
        return line.length() >= width ? line : line + " ".repeat(width - line.length());
    }

    static String thousands(double value) {
        return String.format(Locale.US, "%,d", Math.round(value));
    }

    /** 42s, 3m07s, 2h05m09s. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60);
    }
}
