package dev.zerolm.autograd;

/**
 * Whether ops record a graph on this thread. {@code try (var g = GradMode.noGrad()) { ... }} turns recording
 * off inside the block, like PyTorch's {@code torch.no_grad()}.
 */
public final class GradMode {

    private static final ThreadLocal<int[]> DISABLED_DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    /** How deep this thread is inside {@link Engine#backward}'s rules (which run without recording, too). */
    private static final ThreadLocal<int[]> BACKWARD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private GradMode() {}

    public static boolean isEnabled() {
        return DISABLED_DEPTH.get()[0] == 0;
    }

    /** A scope without graph recording; close it (try-with-resources) to restore the previous mode. */
    public static Scope noGrad() {
        int[] depth = DISABLED_DEPTH.get();
        depth[0]++;
        return () -> depth[0]--;
    }

    /**
     * Whether this thread runs a forward pass without recording: grad is off and no backward pass is running, so the
     * temporaries the pass makes are dead once it moves on (see dev.zerolm.tensor.BufferPool).
     */
    public static boolean isNoGradForward() {
        return DISABLED_DEPTH.get()[0] > 0 && BACKWARD_DEPTH.get()[0] == 0;
    }

    /** Whether this thread runs a forward pass that records a graph: grad is on and no backward pass is running. */
    public static boolean isRecordingForward() {
        return DISABLED_DEPTH.get()[0] == 0 && BACKWARD_DEPTH.get()[0] == 0;
    }

    /** The scope the engine runs backward rules in: no recording, and not a no-grad forward pass either. */
    static Scope backwardPass() {
        int[] disabled = DISABLED_DEPTH.get(), backward = BACKWARD_DEPTH.get();
        disabled[0]++;
        backward[0]++;
        return () -> {
            disabled[0]--;
            backward[0]--;
        };
    }

    /**
     * A scope that records a graph even inside a no-grad one (PyTorch's {@code torch.enable_grad()}): backward
     * runs without recording, and a checkpointed function re-run there must record its graph again.
     */
    public static Scope enableGrad() {
        int[] depth = DISABLED_DEPTH.get();
        int saved = depth[0];
        depth[0] = 0;
        return () -> depth[0] = saved;
    }

    /** An open no-grad scope. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
