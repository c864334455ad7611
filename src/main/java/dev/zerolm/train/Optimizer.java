package dev.zerolm.train;

import dev.zerolm.nn.Module;
import dev.zerolm.tensor.Parallel;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Updates parameters from their gradients, group by group. Subclasses write one plain loop over a parameter's
 * floats; this class owns the groups, the learning rate, the step counter and the per-parameter state
 * (moment buffers and each parameter's own step count, as PyTorch keeps them), and saves that state by
 * parameter name so a checkpoint resumes exactly.
 * <p>A parameter whose {@code grad()} is null is skipped by a step (no decay, no state change), as in PyTorch.
 * <p>Hyper-parameters arrive as floats but the step coefficients ({@code 1 - beta1}, {@code lr / (1 - beta1^t)},
 * ...) are computed in double from each float's shortest decimal form and rounded once, as PyTorch computes them
 * from Python floats: {@code 0.95f} means 0.95.
 */
public abstract class Optimizer {

    /** Elements per parallel chunk of an update loop: smaller tensors run on the calling thread. */
    private static final int PARALLEL_GRAIN = 1 << 15;

    /** Checkpoints store step counts as float32, which holds every integer up to 2^24 exactly. */
    private static final long MAX_EXACT_STEP = 1L << 24;

    /** What an optimiser keeps for one parameter: its named buffers (same size as it) and its step count. */
    protected static final class ParamState {
        private final float[][] buffers;
        private long step;

        private ParamState(int buffers, int numel) {
            this.buffers = new float[buffers][numel];
        }

        /** Buffer i of {@link #bufferNames()}, row-major like the parameter. */
        public float[] buffer(int i) {
            return buffers[i];
        }

        /** Updates this parameter has had, including the current one (1 on its first). */
        public long step() {
            return step;
        }
    }

    private final String kind;
    private final List<ParamGroup> groups;
    private final List<String> bufferNames;
    private final Map<Tensor, ParamState> state = new IdentityHashMap<>();
    private float learningRate;
    private long stepCount;
    private boolean stepsInBackward;

    protected Optimizer(String kind, List<ParamGroup> groups, float learningRate, List<String> bufferNames) {
        this.kind = kind;
        this.groups = List.copyOf(groups);
        this.bufferNames = List.copyOf(bufferNames);
        Map<Tensor, String> seen = new IdentityHashMap<>();
        for (ParamGroup g : this.groups) {
            for (Tensor p : g.params()) {
                String before = seen.put(p, g.name());
                if (before != null) {
                    throw new IllegalArgumentException(kind + ": a parameter of shape " + Shapes.str(p.shape())
                            + " is in groups '" + before + "' and '" + g.name() + "'; give each parameter one group");
                }
                if (!p.isContiguous() || p.storage().heapArray() == null) {
                    throw new IllegalArgumentException(kind + ": parameter of shape " + Shapes.str(p.shape()) + " in group '"
                            + g.name() + "' is not a contiguous heap tensor, so it cannot be updated in place");
                }
            }
        }
        setLearningRate(learningRate);
    }

    // ---------------------------------------------------------------- the update

    /**
     * Updates one parameter in place. {@code grad} is contiguous with the parameter's shape; {@code lr} is this
     * step's learning rate for the parameter's group; {@code state.step()} already counts this update.
     */
    protected abstract void update(Tensor param, Tensor grad, ParamState state, double lr, double weightDecay);

    /**
     * One optimisation step over every parameter that has a gradient. A parameter big enough to split is updated
     * by all threads at once; the small ones (biases, norms, a small model's matrices), each too small to split,
     * are updated side by side: the threads take them one at a time, largest first, so that no thread is left with
     * the matrices while another has only biases. Each parameter's update is the same either way.
     */
    public final void step() {
        stepCount++;
        double baseLr = widen(learningRate);
        List<SmallUpdate> small = new ArrayList<>();
        for (ParamGroup g : groups) {
            double lr = baseLr * widen(g.lrScale());
            double weightDecay = widen(g.weightDecay());
            for (Tensor p : g.params()) {
                Tensor grad = denseGrad(p);
                if (grad == null) continue;
                ParamState st = nextStep(p);
                if (p.numel() >= 2 * PARALLEL_GRAIN) update(p, grad, st, lr, weightDecay);
                else small.add(new SmallUpdate(p.numel(), () -> update(p, grad, st, lr, weightDecay)));
            }
        }
        small.sort((a, b) -> Integer.compare(b.size(), a.size()));
        Parallel.forDynamic(small.size(), 1, (lo, hi) -> {
            for (int i = lo; i < hi; i++) small.get(i).update().run();   // forElements runs inline inside a share
        });
    }

    /** A parameter too small to split, and its update. */
    private record SmallUpdate(int size, Runnable update) {}

    /**
     * Fuses the update into backward (PyTorch's optimizer-in-backward pattern): from now on each parameter is
     * updated the moment a backward pass has finished its gradient, and the gradient is dropped, so the gradients
     * of the whole model never exist at once (GPT-2 124M: 0.5 GB less at the peak). The loop stays zeroGrad,
     * forward, backward, step(): set the learning rate before backward; step() then finds no gradients and only
     * counts the step. Each backward is one update, so gradient clipping and accumulation (which need every
     * gradient of the step together) do not combine with it. The update is the same as {@link #step}'s.
     */
    public void stepInBackward() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) p.setPostAccumulateGradHook(param -> updateNow(param, g));
        }
        stepsInBackward = true;
    }

    /** Undoes {@link #stepInBackward}: gradients stay in {@code .grad} until {@link #step}. */
    public void stepAfterBackward() {
        for (ParamGroup g : groups) for (Tensor p : g.params()) p.setPostAccumulateGradHook(null);
        stepsInBackward = false;
    }

    /** Whether {@link #stepInBackward} is on. */
    public boolean stepsInBackward() {
        return stepsInBackward;
    }

    private void updateNow(Tensor p, ParamGroup g) {
        Tensor grad = denseGrad(p);
        if (grad == null) return;
        update(p, grad, nextStep(p), widen(learningRate) * widen(g.lrScale()), widen(g.weightDecay()));
        p.releaseGrad();                                    // applied: its array serves the next gradient
    }

    /** p's state (made on its first update) with its step count advanced for the update about to run. */
    private ParamState nextStep(Tensor p) {
        ParamState s = state.computeIfAbsent(p, k -> new ParamState(bufferNames.size(), k.numel()));
        s.step++;
        return s;
    }

    /** Clears every gradient (sets it to null, as PyTorch's zero_grad(set_to_none=True)). */
    public void zeroGrad() {
        for (ParamGroup g : groups) for (Tensor p : g.params()) p.zeroGrad();
    }

    /**
     * Clears every gradient and hands the arrays back to the gradient pool for the next backward pass: what a
     * training loop calls after {@link #step} when nothing else reads the gradients (GPT-2 124M: 0.5 GB a step
     * that would otherwise be garbage).
     */
    public void releaseGrads() {
        for (ParamGroup g : groups) for (Tensor p : g.params()) p.releaseGrad();
    }

    /** The gradient of p as a contiguous heap tensor of p's shape (made so in place if needed), or null. */
    static Tensor denseGrad(Tensor p) {
        Tensor g = p.grad();
        if (g == null) return null;
        if (g.numel() != p.numel()) {
            throw new IllegalStateException("optimizer: gradient of shape " + Shapes.str(g.shape())
                    + " does not match its parameter of shape " + Shapes.str(p.shape()));
        }
        if (!g.isContiguous() || g.storage().heapArray() == null) {
            g = g.detach().contiguous();
            p.setGrad(g);
        }
        return g;
    }

    /** Runs body over [0, n), split across the shared pool when n is large; splits never change results. */
    protected static void forElements(int n, Parallel.RangeBody body) {
        Parallel.forRange(n, PARALLEL_GRAIN, body);
    }

    /** A float hyper-parameter as the decimal it was written as (0.95f -> 0.95), as Python would hold it. */
    protected static double widen(float value) {
        return Double.parseDouble(Float.toString(value));
    }

    // ---------------------------------------------------------------- settings

    /** Sets the base learning rate (a scheduler calls this before every step). */
    public void setLearningRate(float lr) {
        if (!(lr >= 0) || Float.isInfinite(lr)) throw new IllegalArgumentException(kind + ": learning rate must be finite and >= 0, got " + lr);
        this.learningRate = lr;
    }

    public float learningRate() {
        return learningRate;
    }

    /** Number of step() calls so far (restored by loadStateDict). */
    public long stepCount() {
        return stepCount;
    }

    public List<ParamGroup> groups() {
        return groups;
    }

    /** Every parameter of every group, in group order. */
    public List<Tensor> parameters() {
        List<Tensor> out = new ArrayList<>();
        for (ParamGroup g : groups) out.addAll(g.params());
        return out;
    }

    /** The per-parameter buffers this optimiser keeps, e.g. exp_avg and exp_avg_sq for Adam. */
    public List<String> bufferNames() {
        return bufferNames;
    }

    // ---------------------------------------------------------------- checkpoints

    /** Each tensor of model by its first dotted name (a tied weight gets the name it was registered under first). */
    public static Map<Tensor, String> parameterNames(Module model) {
        Map<Tensor, String> names = new IdentityHashMap<>();
        for (var e : model.namedParameters().entrySet()) names.putIfAbsent(e.getValue(), e.getKey());
        return names;
    }

    /**
     * A copy of the optimiser state, keyed by name: {@code step} and {@code lr} (scalars), and for every parameter
     * that has been updated {@code step.<name>} (its own count) and {@code <buffer>.<name>} (its shape), e.g.
     * {@code exp_avg.transformer.wte.weight}. Step counts are stored as float32, exact below 2^24.
     */
    public Map<String, Tensor> stateDict(Map<Tensor, String> names) {
        if (stepCount > MAX_EXACT_STEP) {
            throw new IllegalStateException(kind + ".stateDict: step " + stepCount + " is too large to store exactly (max 2^24)");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("step", Tensor.scalar(stepCount));
        out.put("lr", Tensor.scalar(learningRate));
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                ParamState s = state.get(p);
                if (s == null) continue;
                String name = nameOf(p, names, g, "stateDict");
                out.put("step." + name, Tensor.scalar(s.step));
                for (int b = 0; b < bufferNames.size(); b++) {
                    out.put(bufferNames.get(b) + "." + name, Tensor.of(s.buffers[b].clone(), p.shape()));
                }
            }
        }
        return out;
    }

    public Map<String, Tensor> stateDict(Module model) {
        return stateDict(parameterNames(model));
    }

    /**
     * Replaces the optimiser state with one saved by {@link #stateDict}. Every key must belong to a parameter of
     * this optimiser and every buffer must have its parameter's shape; a parameter with no saved state starts
     * fresh. Errors name the key and the shapes.
     */
    public void loadStateDict(Map<String, Tensor> saved, Map<Tensor, String> names) {
        Set<String> unused = new java.util.LinkedHashSet<>(saved.keySet());
        long step = exactCount(saved, "step", unused);
        Tensor lr = take(saved, "lr", unused);
        Map<Tensor, ParamState> loaded = new IdentityHashMap<>();
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                String name = nameOf(p, names, g, "loadStateDict");
                if (!saved.containsKey("step." + name)) continue;
                ParamState s = new ParamState(bufferNames.size(), p.numel());
                s.step = exactCount(saved, "step." + name, unused);
                for (int b = 0; b < bufferNames.size(); b++) {
                    String key = bufferNames.get(b) + "." + name;
                    Tensor t = take(saved, key, unused);
                    if (!java.util.Arrays.equals(t.shape(), p.shape())) {
                        throw new IllegalArgumentException(kind + ".loadStateDict: '" + key + "' has shape " + Shapes.str(t.shape())
                                + " but parameter '" + name + "' has shape " + Shapes.str(p.shape()));
                    }
                    System.arraycopy(t.toArray(), 0, s.buffers[b], 0, p.numel());
                }
                loaded.put(p, s);
            }
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException(kind + ".loadStateDict: keys that belong to no parameter of this optimizer "
                    + "(saved by another optimizer or model?): " + unused);
        }
        state.clear();
        state.putAll(loaded);
        stepCount = step;
        setLearningRate(lr.item());
    }

    public void loadStateDict(Map<String, Tensor> saved, Module model) {
        loadStateDict(saved, parameterNames(model));
    }

    private String nameOf(Tensor p, Map<Tensor, String> names, ParamGroup g, String op) {
        String name = names.get(p);
        if (name == null) {
            throw new IllegalArgumentException(kind + "." + op + ": a parameter of shape " + Shapes.str(p.shape())
                    + " in group '" + g.name() + "' has no name in the given map");
        }
        return name;
    }

    private Tensor take(Map<String, Tensor> saved, String key, Set<String> unused) {
        Tensor t = saved.get(key);
        if (t == null) throw new IllegalArgumentException(kind + ".loadStateDict: missing '" + key + "'");
        unused.remove(key);
        return t;
    }

    private long exactCount(Map<String, Tensor> saved, String key, Set<String> unused) {
        float v = take(saved, key, unused).item();
        if (!(v >= 0) || v != Math.rint(v)) {
            throw new IllegalArgumentException(kind + ".loadStateDict: '" + key + "' must be a whole count, got " + v);
        }
        return (long) v;
    }

    /** The state of one parameter, or null before its first update (for tests and diagnostics). */
    ParamState stateOf(Tensor p) {
        return state.get(p);
    }
}
