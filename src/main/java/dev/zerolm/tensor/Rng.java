package dev.zerolm.tensor;

/**
 * The one explicit random number generator (xoshiro256** seeded by splitmix64). Its whole state is four
 * longs, so a checkpoint can save and restore it exactly, and tensors drawn from it are filled sequentially:
 * the same seed gives the same numbers whatever the thread count.
 */
public final class Rng implements java.util.random.RandomGenerator {

    private long s0, s1, s2, s3;
    private double spareNormal = Double.NaN;

    public Rng(long seed) {
        // The four state words are the first outputs of SplitMix64 started at the seed.
        long sm = seed;
        s0 = mix(sm += GOLDEN);
        s1 = mix(sm += GOLDEN);
        s2 = mix(sm += GOLDEN);
        s3 = mix(sm + GOLDEN);
    }

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** SplitMix64's output function. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("Rng.nextInt: bound must be positive, got " + bound);
        return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
    }

    /** Standard normal by the Box-Muller transform (pairs, the second value kept for the next call). */
    public double nextGaussian() {
        if (!Double.isNaN(spareNormal)) {
            double v = spareNormal;
            spareNormal = Double.NaN;
            return v;
        }
        double u1, u2;
        do {
            u1 = nextDouble();
        } while (u1 <= 1e-300);
        u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        spareNormal = r * Math.sin(2 * Math.PI * u2);
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** The full state, for checkpoints: four xoshiro words and the cached normal (as raw bits). */
    public long[] state() {
        return new long[] {s0, s1, s2, s3, Double.doubleToRawLongBits(spareNormal)};
    }

    public void setState(long[] state) {
        if (state.length != 5) throw new IllegalArgumentException("Rng state must have 5 words, got " + state.length);
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
        spareNormal = Double.longBitsToDouble(state[4]);
    }
}
