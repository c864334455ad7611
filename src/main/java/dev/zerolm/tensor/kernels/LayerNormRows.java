package dev.zerolm.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer normalisation of one row of C floats, forward and backward, on whole vectors. Sums run in vector lanes
 * and the lanes are added in lane order, so a row's result never depends on the JIT's progress or the thread
 * that computes it.
 * <pre>
 *   forward:  μ = mean(x),  σ⁻¹ = 1/√(mean((x − μ)²) + ε),  n = (x − μ) σ⁻¹,  y = n w + b
 *   backward: d = g w,  dx = σ⁻¹ (d − mean(d) − n · mean(d n)),  dw += g n,  db += g
 * </pre>
 */
public final class LayerNormRows {

    private static final VectorSpecies<Float> SPECIES = VectorMath.SPECIES;
    private static final int LANES = SPECIES.length();

    private LayerNormRows() {}

    /**
     * y[yOff..] = layer norm of x[xOff..] over C values with weight w and bias b (either may be null); returns
     * the row's mean and reciprocal standard deviation in stats[0] and stats[1].
     */
    public static void forward(float[] x, int xOff, int C, float[] w, float[] b, float eps, float[] y, int yOff, float[] stats) {
        int whole = SPECIES.loopBound(C);
        FloatVector acc = FloatVector.zero(SPECIES);
        int j = 0;
        for (; j < whole; j += LANES) acc = acc.add(FloatVector.fromArray(SPECIES, x, xOff + j));
        float sum = VectorMath.sumLanes(acc);
        for (; j < C; j++) sum += x[xOff + j];
        float mean = sum / C;
        FloatVector mv = FloatVector.broadcast(SPECIES, mean);
        acc = FloatVector.zero(SPECIES);
        for (j = 0; j < whole; j += LANES) {
            FloatVector d = FloatVector.fromArray(SPECIES, x, xOff + j).sub(mv);
            acc = d.fma(d, acc);
        }
        float sq = VectorMath.sumLanes(acc);
        for (; j < C; j++) {
            float d = x[xOff + j] - mean;
            sq += d * d;
        }
        float rstd = (float) (1 / Math.sqrt(sq / C + eps));
        FloatVector rv = FloatVector.broadcast(SPECIES, rstd);
        for (j = 0; j < whole; j += LANES) {
            FloatVector n = FloatVector.fromArray(SPECIES, x, xOff + j).sub(mv).mul(rv);
            if (w != null) n = n.mul(FloatVector.fromArray(SPECIES, w, j));
            if (b != null) n = n.add(FloatVector.fromArray(SPECIES, b, j));
            n.intoArray(y, yOff + j);
        }
        for (; j < C; j++) {
            float n = (x[xOff + j] - mean) * rstd;
            if (w != null) n *= w[j];
            if (b != null) n += b[j];
            y[yOff + j] = n;
        }
        stats[0] = mean;
        stats[1] = rstd;
    }

    /**
     * dx[dxOff..] for one row given its input x, upstream gradient g, mean and rstd; adds g·n into dw[partOff..] and g
     * into db[partOff..] (C floats each; either may be null).
     */
    public static void backward(float[] x, int xOff, float[] g, int gOff, int C, float[] w, float mean, float rstd,
                                float[] dx, int dxOff, float[] dw, float[] db, int partOff) {
        int whole = SPECIES.loopBound(C);
        FloatVector mv = FloatVector.broadcast(SPECIES, mean), rv = FloatVector.broadcast(SPECIES, rstd);
        FloatVector accD = FloatVector.zero(SPECIES), accDN = accD;
        int j = 0;
        for (; j < whole; j += LANES) {
            FloatVector gv = FloatVector.fromArray(SPECIES, g, gOff + j);
            FloatVector n = FloatVector.fromArray(SPECIES, x, xOff + j).sub(mv).mul(rv);
            FloatVector d = w == null ? gv : gv.mul(FloatVector.fromArray(SPECIES, w, j));
            accD = accD.add(d);
            accDN = d.fma(n, accDN);
            if (dw != null) gv.fma(n, FloatVector.fromArray(SPECIES, dw, partOff + j)).intoArray(dw, partOff + j);
            if (db != null) gv.add(FloatVector.fromArray(SPECIES, db, partOff + j)).intoArray(db, partOff + j);
        }
        float sumD = VectorMath.sumLanes(accD), sumDN = VectorMath.sumLanes(accDN);
        for (; j < C; j++) {
            float n = (x[xOff + j] - mean) * rstd, gj = g[gOff + j];
            float d = w == null ? gj : gj * w[j];
            sumD += d;
            sumDN = Math.fma(d, n, sumDN);
            if (dw != null) dw[partOff + j] = Math.fma(gj, n, dw[partOff + j]);
            if (db != null) db[partOff + j] += gj;
        }
        float meanD = sumD / C, meanDN = sumDN / C;
        FloatVector mdv = FloatVector.broadcast(SPECIES, meanD), mdnv = FloatVector.broadcast(SPECIES, meanDN);
        for (j = 0; j < whole; j += LANES) {
            FloatVector gv = FloatVector.fromArray(SPECIES, g, gOff + j);
            FloatVector n = FloatVector.fromArray(SPECIES, x, xOff + j).sub(mv).mul(rv);
            FloatVector d = w == null ? gv : gv.mul(FloatVector.fromArray(SPECIES, w, j));
            d.sub(mdv).sub(n.mul(mdnv)).mul(rv).intoArray(dx, dxOff + j);
        }
        for (; j < C; j++) {
            float n = (x[xOff + j] - mean) * rstd, gj = g[gOff + j];
            float d = w == null ? gj : gj * w[j];
            dx[dxOff + j] = (d - meanD - n * meanDN) * rstd;
        }
    }
}
