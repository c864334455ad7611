package dev.zerolm.finetune;

import dev.zerolm.nn.Linear;
import dev.zerolm.nn.Module;
import dev.zerolm.tensor.Rng;

import java.util.LinkedHashMap;
import java.util.Map;

/** Puts LoRA adapters into a backbone by module path, and merges or unmerges them all. */
public final class Lora {

    /** The child name under which a {@link LoraLinear} hangs from its layer (PEFT's "default" adapter name plays this role). */
    public static final String HOOK_NAME = "lora";

    private Lora() {}

    /**
     * Attaches a {@link LoraLinear} to every linear layer of module whose path (relative to module) the config
     * targets; returns them by that path. Fails, listing the linear layers, when nothing matches.
     */
    public static Map<String, LoraLinear> inject(Module module, LoraConfig config, Rng rng) {
        Map<String, LoraLinear> out = new LinkedHashMap<>();
        Map<String, Linear> linears = new LinkedHashMap<>();
        for (var e : module.namedModules().entrySet()) {
            if (e.getValue() instanceof Linear linear) linears.put(e.getKey(), linear);
        }
        for (var e : linears.entrySet()) {
            if (config.targets(e.getKey())) out.put(e.getKey(), e.getValue().attach(HOOK_NAME, new LoraLinear(e.getValue(), config, rng)));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("LoRA: target modules " + config.targetModules() + " match none of the linear layers "
                    + linears.keySet());
        }
        return out;
    }

    public static void mergeAll(Map<String, LoraLinear> layers) {
        for (LoraLinear l : layers.values()) l.merge();
    }

    public static void unmergeAll(Map<String, LoraLinear> layers) {
        for (LoraLinear l : layers.values()) l.unmerge();
    }

    /** Number of adapter parameters: r·(in + out) per layer. */
    public static long parameterCount(Map<String, LoraLinear> layers) {
        long n = 0;
        for (LoraLinear l : layers.values()) n += l.loraA().numel() + l.loraB().numel();
        return n;
    }
}
