package dev.zerolm.tensor;

/** The error function in double precision (Java's Math has none): Taylor series near 0, continued fraction beyond. */
public final class Erf {

    private Erf() {}

    public static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 80; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            r = 1 - erfcLarge(ax);
        }
        return x < 0 ? -r : r;
    }

    /** erfc(x) for x >= 2.5 by its continued fraction, evaluated from the tail. */
    private static double erfcLarge(double x) {
        double k = x;
        for (int n = 60; n >= 1; n--) k = x + (n / 2.0) / k;
        return Math.exp(-x * x) / (Math.sqrt(Math.PI) * k);
    }
}
