package dev.zerolm.nn;

/** How a model tells positions apart. */
public enum PositionalEncoding {
    /** A learned table of position vectors added to the token embeddings (GPT-2's wpe). */
    LEARNED,
    /** Fixed sine/cosine vectors added to the token embeddings ("Attention Is All You Need"). */
    SINUSOIDAL,
    /** Queries and keys rotated by position-dependent angles inside attention (RoPE, as in GPT-NeoX and Llama). */
    ROTARY
}
