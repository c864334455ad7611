package dev.zerolm.nn;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

/**
 * The keys and values of tokens already seen, one pair of preallocated (B, nh, maxT, hs) tensors per layer, so a
 * generation step runs attention for the new tokens only. It is for inference: values are written outside
 * autograd, so cached forward passes must run inside {@link GradMode#noGrad()}.
 */
public final class KVCache {

    private final LayerCache[] layers;

    public KVCache(int nLayer, int batchSize, int nHead, int maxSeqLen, int headSize) {
        layers = new LayerCache[nLayer];
        for (int i = 0; i < nLayer; i++) layers[i] = new LayerCache(batchSize, nHead, maxSeqLen, headSize);
    }

    public LayerCache layer(int i) {
        return layers[i];
    }

    public int numLayers() {
        return layers.length;
    }

    /** Tokens cached so far (every layer holds the same count after a full forward pass). */
    public int length() {
        return layers[0].length;
    }

    public int maxSeqLen() {
        return layers[0].keys.size(2);
    }

    /** An independent cache holding the same tokens, e.g. for several choices that continue one prompt. */
    public KVCache copy() {
        LayerCache first = layers[0];
        int[] s = first.keys.shape();                                  // (B, nh, maxT, hs)
        KVCache c = new KVCache(layers.length, s[0], s[1], s[2], s[3]);
        for (int i = 0; i < layers.length; i++) {
            int n = layers[i].length;
            c.layers[i].keys.narrow(2, 0, n).copyFrom(layers[i].keys.narrow(2, 0, n));
            c.layers[i].values.narrow(2, 0, n).copyFrom(layers[i].values.narrow(2, 0, n));
            c.layers[i].length = n;
        }
        return c;
    }

    /** Forgets every cached token; the buffers are kept. */
    public void reset() {
        for (LayerCache l : layers) l.length = 0;
    }

    /** Keys and values over positions [0, length): views into the cache. */
    public record KeysValues(Tensor keys, Tensor values) {}

    /** One attention layer's cache. */
    public static final class LayerCache {

        private final Tensor keys, values; // (B, nh, maxT, hs)
        private int length;

        LayerCache(int batchSize, int nHead, int maxSeqLen, int headSize) {
            keys = Tensor.zeros(batchSize, nHead, maxSeqLen, headSize);
            values = Tensor.zeros(batchSize, nHead, maxSeqLen, headSize);
        }

        /**
         * Stores k, v (B, nh, T, hs) at positions [startPos, startPos + T), forgetting anything after them, and
         * returns the keys and values of [0, startPos + T). startPos may rewind but not skip past cached tokens.
         */
        public KeysValues update(Tensor k, Tensor v, int startPos) {
            if (GradMode.isEnabled() && (k.requiresGrad() || v.requiresGrad())) {
                throw new IllegalStateException("KVCache: the cache is written outside autograd; run cached forward "
                        + "passes inside GradMode.noGrad()");
            }
            int T = k.size(2);
            int[] want = {keys.size(0), keys.size(1), T, keys.size(3)};
            if (!java.util.Arrays.equals(k.shape(), want) || !java.util.Arrays.equals(v.shape(), want)) {
                throw new ShapeException("KVCache: keys " + Shapes.str(k.shape()) + " and values " + Shapes.str(v.shape())
                        + " do not match the cache's " + Shapes.str(want));
            }
            if (startPos < 0 || startPos > length) {
                throw new IllegalArgumentException("KVCache: start position " + startPos + " would leave a gap after the "
                        + length + " cached tokens");
            }
            if (startPos + T > keys.size(2)) {
                throw new ShapeException("KVCache: positions [" + startPos + ", " + (startPos + T) + ") exceed the cache's "
                        + keys.size(2) + " positions");
            }
            keys.narrow(2, startPos, T).copyFrom(k);
            values.narrow(2, startPos, T).copyFrom(v);
            length = startPos + T;
            return new KeysValues(keys.narrow(2, 0, length), values.narrow(2, 0, length));
        }

        public int length() {
            return length;
        }
    }
}
