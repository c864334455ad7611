package dev.zerolm.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The summary a benchmark row shows: the median of its samples (robust to a noisy neighbour on the CPU)
 * and their spread, min to max.
 */
public record Stats(double median, double min, double max, int samples) {

    public Stats {
        if (samples < 1) throw new IllegalArgumentException("Stats: need at least one sample, got " + samples);
        if (!(min <= median && median <= max)) {
            throw new IllegalArgumentException("Stats: expected min <= median <= max, got " + min + ", " + median + ", " + max);
        }
    }

    /** Median (mean of the middle two for an even count), min and max of values. */
    public static Stats of(double... values) {
        if (values.length == 0) throw new IllegalArgumentException("Stats.of: no samples");
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Stats(median, v[0], v[n - 1], n);
    }

    /** One measurement with no spread (a peak memory reading). */
    public static Stats single(double value) {
        return new Stats(value, value, value, 1);
    }

    /**
     * Several rounds of the same measurement as one: the median of the rounds' medians (so one slow round, when the
     * machine's speed drifted, moves it least), the smallest min and the largest max, all samples counted.
     */
    public static Stats ofRounds(List<Stats> rounds) {
        if (rounds.isEmpty()) throw new IllegalArgumentException("Stats.ofRounds: no rounds");
        double[] medians = rounds.stream().mapToDouble(Stats::median).toArray();
        double min = rounds.stream().mapToDouble(Stats::min).min().getAsDouble();
        double max = rounds.stream().mapToDouble(Stats::max).max().getAsDouble();
        return new Stats(of(medians).median(), min, max, rounds.stream().mapToInt(Stats::samples).sum());
    }

    /** Rates from durations: each sample becomes {@code work / seconds}, e.g. tokens per second. */
    public static Stats ratesOf(double work, double[] seconds) {
        double[] rates = new double[seconds.length];
        for (int i = 0; i < seconds.length; i++) rates[i] = work / seconds[i];
        return of(rates);
    }
}
