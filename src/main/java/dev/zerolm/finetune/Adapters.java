package dev.zerolm.finetune;

import dev.zerolm.nn.Linear;
import dev.zerolm.nn.Module;
import dev.zerolm.tensor.Rng;

import java.util.LinkedHashMap;
import java.util.Map;

/** Puts a {@link BottleneckAdapter} after every attention and feed-forward sublayer of a backbone. */
public final class Adapters {

    /** The child name under which an adapter hangs from its layer. */
    public static final String HOOK_NAME = "adapter";

    private Adapters() {}

    /** Attaches adapters of the given bottleneck size at {@link Backbone#sublayerOutputPaths()}; returns them by path. */
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
