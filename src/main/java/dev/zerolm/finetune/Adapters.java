package dev.zerolm.finetune;

import dev.zerolm.nn.Linear;
import dev.zerolm.nn.Module;
import dev.zerolm.tensor.Rng;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Puts a bottleneck adapter at every attention and feed-forward sublayer of a backbone: a {@link BottleneckAdapter}
 * after it (sequential, as Houlsby et al.) or a {@link ParallelAdapter} beside it.
 */
public final class Adapters {

    /** The child name under which an adapter hangs from its layer or sublayer. */
    public static final String HOOK_NAME = "adapter";
    public static final String SEQUENTIAL = "sequential";
    public static final String PARALLEL = "parallel";
    /** A parallel adapter's output scale when none is given, He et al.'s choice. */
    public static final float DEFAULT_PARALLEL_SCALE = 4f;

    private Adapters() {}

    /** Returns kind when it names an adapter kind, else throws, naming the choices. */
    public static String requireKind(String kind) {
        if (!SEQUENTIAL.equals(kind) && !PARALLEL.equals(kind)) {
            throw new IllegalArgumentException("unknown adapter kind '" + kind + "'; choose " + SEQUENTIAL + " or " + PARALLEL);
        }
        return kind;
    }

    /** Attaches adapters of the given kind and bottleneck size; returns them by path. scale is for parallel ones. */
    public static Map<String, Module> inject(Backbone backbone, int bottleneck, String kind, float scale, Rng rng) {
        int width = backbone.hiddenSize();
        return requireKind(kind).equals(PARALLEL)
                ? new LinkedHashMap<>(backbone.attachToSublayers(HOOK_NAME, () -> new ParallelAdapter(width, bottleneck, scale, rng)))
                : new LinkedHashMap<>(inject(backbone, bottleneck, rng));
    }

    /** Attaches sequential adapters of the given bottleneck size at {@link Backbone#sublayerOutputPaths()}; returns them by path. */
    public static Map<String, BottleneckAdapter> inject(Backbone backbone, int bottleneck, Rng rng) {
        Map<String, Module> modules = backbone.module().namedModules();
        Map<String, BottleneckAdapter> out = new LinkedHashMap<>();
        for (String path : backbone.sublayerOutputPaths()) {
            if (!(modules.get(path) instanceof Linear linear)) {
                throw new IllegalStateException("adapters: expected a linear layer at '" + path + "', found " + modules.get(path));
            }
            out.put(path, linear.attach(HOOK_NAME, new BottleneckAdapter(linear.outFeatures(), bottleneck, rng)));
        }
        return out;
    }
}
