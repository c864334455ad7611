package dev.zerolm.finetune;

import java.util.Locale;

/** Which parameters fine-tuning trains. */
public enum Method {
    /** Every parameter (optionally with the first k blocks frozen and per-layer learning rates). */
    FULL,
    /** The head only; the backbone is frozen. */
    FREEZE,
    /** LoRA adapters on the targeted linear layers, plus the head. */
    LORA,
    /** Bottleneck adapters after each sublayer, plus the backbone's norms and the head (as Houlsby et al.). */
    ADAPTER;

    public static Method parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown fine-tuning method '" + name + "'; choose full, freeze, lora or adapter");
        }
    }

    /**
     * The peak learning rate when none is given: LoRA (B = 0) and adapters (up-projection 0) start as no-ops on a
     * frozen backbone and take larger steps than full fine-tuning, as usual with PEFT. These are the rates behind the
     * README's Brown figures.
     */
    public float defaultLearningRate() {
        return switch (this) {
            case FULL, FREEZE -> 5e-4f;
            case LORA -> 2e-3f;
            case ADAPTER -> 3e-3f;
        };
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
