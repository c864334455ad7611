package dev.zerolm.nn;

/** Which normalisation a block uses. */
public enum NormKind {
    /** GPT-2's LayerNorm (bias optional). */
    LAYER_NORM,
    /** Llama's RMSNorm (never a bias). */
    RMS_NORM;

    public Layer create(int dim, float eps, boolean bias) {
        return switch (this) {
            case LAYER_NORM -> new LayerNorm(dim, eps, bias);
            case RMS_NORM -> new RMSNorm(dim, eps);
        };
    }
}
