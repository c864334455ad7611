package dev.zerolm.finetune;

import dev.zerolm.nn.Embedding;
import dev.zerolm.nn.Linear;
import dev.zerolm.nn.Module;
import dev.zerolm.tensor.Rng;

import java.util.LinkedHashMap;
import java.util.Map;

/** Puts LoRA adapters into a backbone by module path, and merges or unmerges them all. */
public final class Lora {

    /** The child name under which a LoRA layer hangs from its base layer (PEFT's "default" adapter name plays this role). */
    public static final String HOOK_NAME = "lora";

    private Lora() {}

    /**
     * Attaches a {@link LoraLinear} to every linear layer and a {@link LoraEmbedding} to every embedding table of
     * module whose path (relative to module) the config targets; returns them by that path. Fails, listing the
     * layers that could be targeted, when nothing matches.
     */
    public static Map<String, LoraLayer> inject(Module module, LoraConfig config, Rng rng) {
        Map<String, LoraLayer> out = new LinkedHashMap<>();
        Map<String, Module> candidates = new LinkedHashMap<>();
        for (var e : module.namedModules().entrySet()) {
            if (e.getValue() instanceof Linear || e.getValue() instanceof Embedding) candidates.put(e.getKey(), e.getValue());
        }
        for (var e : candidates.entrySet()) {
            String path = e.getKey();
            if (e.getValue() instanceof Linear linear && config.targets(path, true)) {
                out.put(path, linear.attach(HOOK_NAME, new LoraLinear(linear, config.rankFor(path), config.scalingFor(path), config.dropout(), rng)));
            } else if (e.getValue() instanceof Embedding table && config.targets(path, false)) {
                out.put(path, table.attach(HOOK_NAME, new LoraEmbedding(table, config.rankFor(path), config.scalingFor(path), rng)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("LoRA: target modules " + config.targetModules()
                    + " match none of the linear layers and embedding tables " + candidates.keySet());
        }
        return out;
    }

    /** The LoRA layers already injected into module, by the path of the layer they adapt. */
    public static Map<String, LoraLayer> find(Module module) {
        Map<String, LoraLayer> out = new LinkedHashMap<>();
        String suffix = "." + HOOK_NAME;
        for (var e : module.namedModules().entrySet()) {
            if (e.getValue() instanceof LoraLayer l && e.getKey().endsWith(suffix)) {
                out.put(e.getKey().substring(0, e.getKey().length() - suffix.length()), l);
            }
        }
        return out;
    }

    public static void mergeAll(Map<String, ? extends LoraLayer> layers) {
        for (LoraLayer l : layers.values()) l.merge();
    }

    public static void unmergeAll(Map<String, ? extends LoraLayer> layers) {
        for (LoraLayer l : layers.values()) l.unmerge();
    }

    /** Number of adapter parameters: r·(in + out) per linear layer, r·(V + D) per embedding table. */
    public static long parameterCount(Map<String, ? extends LoraLayer> layers) {
        long n = 0;
        for (LoraLayer l : layers.values()) n += l.loraA().numel() + l.loraB().numel();
        return n;
    }
}
