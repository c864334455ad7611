package dev.zerolm.finetune;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * LoRA's settings, with PEFT's adapter_config.json names in the comments.
 *
 * @param r              r: rank of the update B·A
 * @param alpha          lora_alpha: the update is scaled by alpha / r, so changing r keeps its size comparable
 * @param dropout        lora_dropout: on the adapter's input while training
 * @param targetModules  target_modules: which linear layers and embedding tables get an adapter (see {@link #targets})
 * @param rankPattern    rank_pattern: module name (or regex) -> its own rank, instead of r (see {@link #rankFor})
 * @param alphaPattern   alpha_pattern: module name (or regex) -> its own alpha, instead of alpha
 */
public record LoraConfig(int r, float alpha, float dropout, List<String> targetModules,
                         Map<String, Integer> rankPattern, Map<String, Float> alphaPattern) {

    /** Targets every linear layer of the backbone except a language-model head, as PEFT's "all-linear". */
    public static final String ALL_LINEAR = "all-linear";

    public LoraConfig {
        if (r <= 0) throw new IllegalArgumentException("LoRA: rank r must be positive, got " + r);
        if (!(alpha > 0)) throw new IllegalArgumentException("LoRA: alpha must be positive, got " + alpha);
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("LoRA: dropout must be in [0, 1), got " + dropout);
        targetModules = List.copyOf(targetModules);
        if (targetModules.isEmpty()) throw new IllegalArgumentException("LoRA: name at least one target module (e.g. c_attn, query, all-linear)");
        rankPattern = ordered(rankPattern);
        alphaPattern = ordered(alphaPattern);
        rankPattern.forEach((k, v) -> {
            if (v == null || v <= 0) throw new IllegalArgumentException("LoRA: rank_pattern '" + k + "' must be a positive rank, got " + v);
        });
        alphaPattern.forEach((k, v) -> {
            if (v == null || !(v > 0)) throw new IllegalArgumentException("LoRA: alpha_pattern '" + k + "' must be a positive alpha, got " + v);
        });
    }

    /** One rank and alpha for every adapted module. */
    public LoraConfig(int r, float alpha, float dropout, List<String> targetModules) {
        this(r, alpha, dropout, targetModules, Map.of(), Map.of());
    }

    /** The scaling alpha / r of modules without a pattern. */
    public float scaling() {
        return alpha / r;
    }

    /**
     * The rank of the module at path: that of the first rank_pattern key naming it, else r. A key names a path as
     * in PEFT: the key (a name or a regex) matches the whole path or its last dotted segments, so
     * {@code word_embeddings} names {@code embeddings.word_embeddings} and {@code layer\.0\..*} the first block.
     */
    public int rankFor(String path) {
        for (var e : rankPattern.entrySet()) if (names(e.getKey(), path)) return e.getValue();
        return r;
    }

    /** The alpha of the module at path: that of the first alpha_pattern key naming it, else alpha. */
    public float alphaFor(String path) {
        for (var e : alphaPattern.entrySet()) if (names(e.getKey(), path)) return e.getValue();
        return alpha;
    }

    /** The update scaling of the module at path: alphaFor / rankFor. */
    public float scalingFor(String path) {
        return alphaFor(path) / rankFor(path);
    }

    private static boolean names(String key, String path) {
        return path.equals(key) || path.endsWith("." + key) || Pattern.matches("(.*\\.)?(" + key + ")", path);
    }

    private static <V> Map<String, V> ordered(Map<String, V> m) {
        return m == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m));
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
