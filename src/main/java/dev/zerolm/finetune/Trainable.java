package dev.zerolm.finetune;

import dev.zerolm.nn.Module;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.train.ParamGroup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Chooses which parameters train. A frozen parameter has requiresGrad false: backward computes no gradient for it
 * and it is left out of the optimiser, so it cannot change.
 */
public final class Trainable {

    private Trainable() {}

    /** Freezes every parameter of module. */
    public static void freeze(Module module) {
        for (Tensor p : module.parameters()) p.requiresGrad(false);
    }

    /** Makes every parameter of module trainable. */
    public static void unfreeze(Module module) {
        for (Tensor p : module.parameters()) p.requiresGrad(true);
    }

    /**
     * Sets the model up for a method: FULL trains all; FREEZE only the head; LORA the {@link LoraLayer}s and the
     * head; ADAPTER the {@link BottleneckAdapter}s or {@link ParallelAdapter}s (and any LoRA layers injected beside them), the backbone's norms and
     * the head. Adapters must be injected first.
     */
    public static void apply(TaskModel model, Method method) {
        unfreeze(model);
        if (method == Method.FULL) return;
        freeze(model.backbone().module());
        for (var e : model.backbone().module().namedModules().entrySet()) {
            Module m = e.getValue();
            boolean keep = switch (method) {
                case LORA -> m instanceof LoraLayer;
                case ADAPTER -> m instanceof BottleneckAdapter || m instanceof ParallelAdapter || m instanceof LoraLayer
                        || m instanceof dev.zerolm.nn.LayerNorm || m instanceof dev.zerolm.nn.RMSNorm;
                default -> false;
            };
            if (keep) unfreeze(m);
        }
        // The tied word embeddings of an MLM head are frozen with the backbone; nothing else is shared with the head.
    }

    /** Freezes the backbone's embedding tables (and the norm that follows them), for FULL fine-tuning; the blocks still train. */
    public static void freezeEmbeddings(TaskModel model) {
        freezeBefore(model.backbone(), 0);
    }

    /** Freezes the embeddings and the first k blocks of the backbone (k = 0: nothing), for FULL fine-tuning. */
    public static void freezeFirstBlocks(TaskModel model, int k) {
        Backbone b = model.backbone();
        if (k < 0 || k > b.numBlocks()) {
            throw new IllegalArgumentException("freeze first blocks: k must be in [0, " + b.numBlocks() + "], got " + k);
        }
        if (k > 0) freezeBefore(b, k);
    }

    /** Freezes every backbone parameter before block k; the embeddings count as block -1. */
    private static void freezeBefore(Backbone b, int k) {
        for (var e : b.module().namedParameters().entrySet()) {
            if (blockOf(b, e.getKey()) < k) e.getValue().requiresGrad(false);
        }
    }

    /** Trainable parameters of module, each once, in registration order. */
    public static List<Tensor> parameters(Module module) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor p : module.parameters()) if (p.requiresGrad()) out.add(p);
        return out;
    }

    public static long count(Module module) {
        long n = 0;
        for (Tensor p : parameters(module)) n += p.numel();
        return n;
    }

    /**
     * Optimiser groups over the trainable parameters. Matrices get weightDecay, vectors (biases, norms) and
     * embeddings none. With layerDecay below 1 the learning rate falls geometrically with depth from the head
     * (discriminative learning rates, as ULMFiT and layer-wise LR decay): the head and anything above the blocks
     * get scale 1, block i of n gets layerDecay^(n - i), the embeddings layerDecay^(n + 1).
     */
    public static List<ParamGroup> groups(TaskModel model, float weightDecay, float layerDecay) {
        return groups(model, weightDecay, layerDecay, 1f);
    }

    /**
     * As {@link #groups(TaskModel, float, float)}, with LoRA+ (Hayou et al. 2024): the B matrices of LoRA's linear
     * layers, which start at zero, train loraPlusRatio times faster than the rest. Embedding LoRA keeps the base rate
     * (PEFT's LoRA+ gives it a separate rate, 1e-6 by default, which all but freezes it).
     */
    public static List<ParamGroup> groups(TaskModel model, float weightDecay, float layerDecay, float loraPlusRatio) {
        if (!(layerDecay > 0 && layerDecay <= 1)) throw new IllegalArgumentException("layer decay must be in (0, 1], got " + layerDecay);
        if (!(loraPlusRatio > 0)) throw new IllegalArgumentException("LoRA+ ratio must be > 0, got " + loraPlusRatio);
        Backbone b = model.backbone();
        int n = b.numBlocks();
        Map<String, List<Tensor>> byGroup = new LinkedHashMap<>();
        Map<String, Float> scale = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (var e : model.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            if (!p.requiresGrad() || !seen.add(p)) continue;
            String name = e.getKey();
            int depth;
            if (name.startsWith("backbone.")) {
                int block = blockOf(b, name.substring("backbone.".length()));
                depth = block == Integer.MAX_VALUE ? 0 : block < 0 ? n + 1 : n - block;
            } else {
                depth = 0;
            }
            boolean decay = p.rank() >= 2 && !isEmbeddingOrNorm(name);
            boolean loraB = loraPlusRatio != 1f && name.endsWith("." + LoraLinear.KEY_B);
            String group = (layerDecay < 1 ? "depth" + depth + "." : "") + (loraB ? "lora_B." : "") + (decay ? "decay" : "no_decay");
            byGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(p);
            scale.put(group, (float) Math.pow(layerDecay, depth) * (loraB ? loraPlusRatio : 1f));
        }
        List<ParamGroup> out = new ArrayList<>();
        for (var e : byGroup.entrySet()) {
            out.add(new ParamGroup(e.getKey(), e.getValue(), scale.get(e.getKey()), e.getKey().endsWith("no_decay") ? 0f : weightDecay));
        }
        if (out.isEmpty()) throw new IllegalStateException("no trainable parameters: everything is frozen");
        return out;
    }

    /** Block index of a backbone parameter path; -1 for embeddings (before every block); MAX_VALUE after them (final norm, pooler, MLM head). */
    static int blockOf(Backbone b, String path) {
        for (int i = 0; i < b.numBlocks(); i++) if (path.startsWith(b.blockPath(i) + ".")) return i;
        String p = path.toLowerCase(Locale.ROOT);
        if (p.contains("embed") || p.contains("wte") || p.contains("wpe")) return -1;
        return Integer.MAX_VALUE;
    }

    private static boolean isEmbeddingOrNorm(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("embed") || n.contains("wte") || n.contains("wpe") || n.contains("norm") || n.contains("ln_");
    }
}
