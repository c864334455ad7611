package dev.zerolm.train;

import dev.zerolm.tensor.Parallel;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Small parameters updated side by side and big ones split across threads give the same bits for any thread count. */
class OptimizerThreadsTest {

    private final int saved = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    /** Parameters after three steps: many small ones (updated per parameter in parallel) and two big ones (split). */
    private static List<float[]> train(int threads, Function<List<ParamGroup>, Optimizer> make) {
        Parallel.setThreads(threads);
        Rng rng = new Rng(3);
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; i < 9; i++) params.add(Tensor.randn(rng, 1 + 37 * i, 5).requiresGrad(true));
        params.add(Tensor.randn(rng, 300, 400).requiresGrad(true));
        params.add(Tensor.randn(rng, 70_001).requiresGrad(true));
        Optimizer opt = make.apply(List.of(new ParamGroup("decay", params.subList(0, 6), 1f, 0.1f),
                new ParamGroup("no_decay", params.subList(6, params.size()), 0.5f, 0f)));
        Rng grads = new Rng(4);
        for (int step = 0; step < 3; step++) {
            for (Tensor p : params) p.setGrad(Tensor.randn(grads, p.shape()));
            opt.step();
        }
        List<float[]> out = new ArrayList<>();
        for (Tensor p : params) out.add(p.detach().toArray());
        return out;
    }

    @Test
    void adamWAndSgdGiveTheSameParametersForOneToFourThreads() {
        List<Function<List<ParamGroup>, Optimizer>> optimizers = List.of(g -> new AdamW(g, 1e-2f), g -> new SGD(g, 1e-2f, 0.9f, true));
        for (Function<List<ParamGroup>, Optimizer> make : optimizers) {
            List<float[]> one = train(1, make);
            for (int threads = 2; threads <= 4; threads++) {
                List<float[]> many = train(threads, make);
                for (int i = 0; i < one.size(); i++) assertThat(many.get(i)).as("threads %d, parameter %d", threads, i).isEqualTo(one.get(i));
            }
        }
    }
}
