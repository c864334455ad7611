package dev.zerolm.nn;

/** A transformer block whose attention and feed-forward sublayers can take {@link SublayerHook}s. */
public interface SublayerHost {

    /** Attaches hook to the attention sublayer as a child called name; it runs on every later forward pass. */
    <H extends SublayerHook> H attachToAttention(String name, H hook);

    /** Attaches hook to the feed-forward sublayer as a child called name. */
    <H extends SublayerHook> H attachToFeedForward(String name, H hook);
}
