package dev.zerolm.tensor;

import java.util.Arrays;

/** Small helpers over shape and stride arrays. */
public final class Shapes {

    private Shapes() {}

    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE) throw new ShapeException("shape " + str(shape) + " has more than 2^31 elements");
        return (int) n;
    }

    /** Row-major strides of a contiguous tensor. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** "(2,3,4)": how every error message prints a shape. */
    public static String str(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(shape[i]);
        }
        if (shape.length == 1) sb.append(',');
        return sb.append(')').toString();
    }

    /** Normalises a possibly negative dim against a rank, or throws naming the op. */
    public static int dim(String op, int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new ShapeException(op + ": dim " + dim + " is out of range for a tensor of rank " + rank);
        }
        return d;
    }

    /** NumPy broadcasting of two shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeException(op + ": shapes " + str(a) + " and " + str(b) + " cannot be broadcast together");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Whether small, less any leading 1s, equals the last dims of big: a contiguous tensor of shape small then
     * repeats along big's leading dims (a bias (C) against (B, T, C)).
     */
    public static boolean isTrailing(int[] small, int[] big) {
        int k = 0;
        while (k < small.length && small[k] == 1) k++; // leading 1s do not change the layout
        int len = small.length - k;
        if (len > big.length) return false;
        for (int i = 0; i < len; i++) if (small[k + i] != big[big.length - len + i]) return false;
        return true;
    }

    public static boolean same(int[] a, int[] b) {
        return Arrays.equals(a, b);
    }
}
