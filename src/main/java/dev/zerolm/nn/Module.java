package dev.zerolm.nn;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer or model: named parameters (tensors that require grad), named buffers, child modules, and a
 * train/eval mode. Names are dotted paths like PyTorch's ({@code h.0.attn.c_attn.weight}), so state dicts
 * match checkpoints written by other tools.
 */
public abstract class Module {

    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a trainable tensor under a local name; returns it (marked requiresGrad). */
    protected Tensor registerParameter(String name, Tensor value) {
        value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers a non-trainable tensor that is still saved in the state dict (e.g. running statistics). */
    protected Tensor registerBuffer(String name, Tensor value) {
        buffers.put(name, value);
        return value;
    }

    protected <M extends Module> M registerModule(String name, M module) {
        children.put(name, module);
        return module;
    }

    /** Every parameter of this module and its children, by dotted name, in registration order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true);
        return out;
    }

    public List<Tensor> parameters() {
        // A tensor shared by two modules (tied weights) is listed once.
        List<Tensor> out = new ArrayList<>();
        java.util.Set<Tensor> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Tensor t : namedParameters().values()) if (seen.add(t)) out.add(t);
        return out;
    }

    public Map<String, Module> namedChildren() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** This module and every descendant, by dotted name ("" for this one). */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        out.put("", this);
        for (var e : children.entrySet()) {
            for (var sub : e.getValue().namedModules().entrySet()) {
                out.put(sub.getKey().isEmpty() ? e.getKey() : e.getKey() + "." + sub.getKey(), sub.getValue());
            }
        }
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params) {
        for (var e : (params ? parameters : buffers).entrySet()) out.put(prefix + e.getKey(), e.getValue());
        for (var e : children.entrySet()) e.getValue().collect(prefix + e.getKey() + ".", out, params);
    }

    /** Parameters and buffers by name: what a checkpoint stores. Tied tensors appear under each name. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        for (var e : parameters.entrySet()) out.put(prefix + e.getKey(), e.getValue());
        for (var e : buffers.entrySet()) out.put(prefix + e.getKey(), e.getValue());
        for (var e : children.entrySet()) e.getValue().collectState(prefix + e.getKey() + ".", out);
    }

    /**
     * Copies values into this module's tensors by name. strict: every tensor of the module must be given and
     * no unknown name may appear; shapes must always match. Errors name the tensor and both shapes.
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        if (strict) {
            List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
            for (String k : own.keySet()) if (!state.containsKey(k)) missing.add(k);
            for (String k : state.keySet()) if (!own.containsKey(k)) unexpected.add(k);
            if (!missing.isEmpty() || !unexpected.isEmpty()) {
                throw new IllegalArgumentException("loadStateDict: missing " + missing + ", unexpected " + unexpected);
            }
        }
        try (var ignored = GradMode.noGrad()) {
            for (var e : state.entrySet()) {
                Tensor target = own.get(e.getKey());
                if (target == null) continue;
                Tensor src = e.getValue();
                if (!java.util.Arrays.equals(target.shape(), src.shape())) {
                    throw new ShapeException("loadStateDict: tensor '" + e.getKey() + "' has shape " + Shapes.str(src.shape())
                            + " but the model expects " + Shapes.str(target.shape()));
                }
                target.copyFrom(src);
            }
        }
    }

    public void train(boolean mode) {
        this.training = mode;
        for (Module m : children.values()) m.train(mode);
    }

    public void eval() {
        train(false);
    }

    public boolean isTraining() {
        return training;
    }

    public void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }
}
