package dev.zerolm.finetune;

import java.util.List;
import java.util.regex.Pattern;

/**
 * LoRA's settings, with PEFT's adapter_config.json names in the comments.
 *
 * @param r              r: rank of the update B·A
 * @param alpha          lora_alpha: the update is scaled by alpha / r, so changing r keeps its size comparable
 * @param dropout        lora_dropout: on the adapter's input while training
 * @param targetModules  target_modules: which linear layers and embedding tables get an adapter (see {@link #targets})
 */
public record LoraConfig(int r, float alpha, float dropout, List<String> targetModules) {

    /** Targets every linear layer of the backbone except a language-model head, as PEFT's "all-linear". */
    public static final String ALL_LINEAR = "all-linear";

    public LoraConfig {
        if (r <= 0) throw new IllegalArgumentException("LoRA: rank r must be positive, got " + r);
        if (!(alpha > 0)) throw new IllegalArgumentException("LoRA: alpha must be positive, got " + alpha);
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("LoRA: dropout must be in [0, 1), got " + dropout);
        targetModules = List.copyOf(targetModules);
        if (targetModules.isEmpty()) throw new IllegalArgumentException("LoRA: name at least one target module (e.g. c_attn, query, all-linear)");
    }

    public float scaling() {
        return alpha / r;
    }

    /**
     * True when the linear layer at path is a target. A plain name matches the path itself or its last segments
     * ({@code c_attn} matches {@code transformer.h.0.attn.c_attn}, as PEFT's list form); a name holding regex
     * characters must match the whole path ({@code .*\.(query|value)}); {@value #ALL_LINEAR} matches every path
     * outside a language-model head ({@code cls.}, {@code lm_head}).
     */
    public boolean targets(String path) {
        return targets(path, true);
    }

    /** As {@link #targets(String)} for a layer that is linear or not: {@value #ALL_LINEAR} never picks an embedding table. */
    public boolean targets(String path, boolean linear) {
        for (String t : targetModules) {
            if (t.equals(ALL_LINEAR)) {
                if (linear && !path.startsWith("cls.") && !path.startsWith("lm_head")) return true;
            } else if (isRegex(t)) {
                if (Pattern.matches(t, path)) return true;
            } else if (path.equals(t) || path.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isRegex(String s) {
        for (char c : s.toCharArray()) if ("*+?[](){}|^$\\".indexOf(c) >= 0) return true;
        return false;
    }
}
