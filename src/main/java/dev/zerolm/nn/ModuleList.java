package dev.zerolm.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/** An ordered list of child modules named 0, 1, 2, ... (like torch.nn.ModuleList), e.g. the blocks {@code h.0}, {@code h.1}. */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {

    private final List<M> items = new ArrayList<>();

    public ModuleList<M> add(M module) {
        registerModule(Integer.toString(items.size()), module);
        items.add(module);
        return this;
    }

    public M get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    @Override
    public Iterator<M> iterator() {
        return Collections.unmodifiableList(items).iterator();
    }
}
