package dev.zerolm.train;

import dev.zerolm.models.Bert;
import dev.zerolm.models.BertConfig;
import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A training step whose forward activations come from the pool and go back after backward
 * ({@link BufferPool#trainingPass}) trains to the same losses, bit for bit, as one with fresh arrays: if any
 * activation were handed back while the graph or the model still read it, the next step would overwrite it.
 */
class TrainingPassTest {

    private static final int STEPS = 12;

    @Test
    void aGptTrainsToTheSameLossesWhenItsActivationsAreRecycled() {
        for (boolean checkpointing : new boolean[] {false, true}) {
            Function<Boolean, float[]> run = recycle -> {
                GPT model = new GPT(GPTConfig.gpt2(31, 16, 2, 2, 32), new Rng(1));
                model.setGradientCheckpointing(checkpointing);
                model.train(true);
                Rng data = new Rng(2);
                return losses(model.parameters(), recycle, () -> {
                    int B = 3, T = 9 + data.nextInt(7);                  // shapes change from step to step
                    IntTensor x = IntTensor.of(tokens(data, B * T, 31), B, T), y = IntTensor.of(tokens(data, B * T, 31), B, T);
                    return model.loss(x, y);
                });
            };
            assertThat(run.apply(true)).as("checkpointing %s", checkpointing).containsExactly(run.apply(false));
        }
    }

    @Test
    void aLeanGptWhoseOptimizerStepsInBackwardTrainsToTheSameLossesWhenItsGradientsAreRecycled() {
        Function<Boolean, float[]> run = recycle -> {
            GPT model = new GPT(GPTConfig.gpt2(31, 16, 2, 2, 32), new Rng(1));
            model.setGradientCheckpointing(true);
            model.train(true);
            Rng data = new Rng(2);
            return losses(model.parameters(), recycle, true, () -> {
                IntTensor x = IntTensor.of(tokens(data, 2 * 12, 31), 2, 12), y = IntTensor.of(tokens(data, 2 * 12, 31), 2, 12);
                return model.loss(x, y);
            });
        };
        assertThat(run.apply(true)).containsExactly(run.apply(false));
    }

    @Test
    void releasedGradientsGoBackToThePoolAndNothingElseDoes() {
        GPT model = new GPT(GPTConfig.gpt2(31, 16, 1, 2, 32), new Rng(1));
        AdamW optimizer = new AdamW(ParamGroup.single(model.parameters(), 0f), 1e-3f);
        IntTensor x = IntTensor.of(tokens(new Rng(5), 16, 31), 2, 8);
        model.loss(x, x).backward();
        Tensor fc = model.namedParameters().entrySet().stream().filter(e -> e.getKey().endsWith("mlp.c_fc.weight")).findFirst().orElseThrow().getValue();
        float[] grad = fc.grad().data();                                     // a linear layer's weight gradient
        optimizer.step();
        BufferPool.clear();
        optimizer.releaseGrads();
        assertThat(fc.grad()).isNull();
        assertThat(BufferPool.pooledFloats()).as("adopted gradients are back").isPositive();
        List<float[]> sameLength = new ArrayList<>();                        // c_proj's gradient has the same length
        for (int i = 0; i < 4; i++) sameLength.add(BufferPool.take(grad.length));
        assertThat(sameLength.stream().anyMatch(a -> a == grad)).as("c_fc's gradient array is handed out again").isTrue();
        long pooled = BufferPool.pooledFloats();
        Tensor user = Tensor.zeros(4, 4);
        user.setGrad(Tensor.zeros(4, 4));
        user.releaseGrad();
        assertThat(BufferPool.pooledFloats()).as("a gradient the pool never made stays out of it").isEqualTo(pooled);
    }

    @Test
    void aBertWithPaddingAndDropoutTrainsToTheSameLossesWhenItsActivationsAreRecycled() {
        Function<Boolean, float[]> run = recycle -> {
            Bert bert = new Bert(new BertConfig(40, 32, 2, 2, 64, "gelu", 16, 2, 1e-12f, 0.1f, 0.1f, 0, 0.02f), new Rng(3));
            bert.train(true);
            Rng data = new Rng(4);
            return losses(bert.parameters(), recycle, () -> {
                int B = 2, T = 12;
                int[] mask = new int[B * T], labels = new int[B * T];
                Arrays.fill(mask, 1);
                Arrays.fill(mask, T + 8, 2 * T, 0);                     // the second row is padded after 8 tokens
                for (int i = 0; i < B * T; i++) labels[i] = i % 3 == 0 && mask[i] == 1 ? 5 + data.nextInt(30) : Bert.IGNORE_INDEX;
                return bert.mlmLoss(IntTensor.of(tokens(data, B * T, 40), B, T), null, IntTensor.of(mask, B, T), IntTensor.of(labels, B, T));
            });
        };
        assertThat(run.apply(true)).containsExactly(run.apply(false));
    }

    @Test
    void thePassHandsOutActivationsOnlyWhileAGraphIsRecordedAndReusesThemNextStep() {
        GPT model = new GPT(GPTConfig.gpt2(31, 16, 1, 2, 32), new Rng(1));
        IntTensor x = IntTensor.of(tokens(new Rng(5), 16, 31), 2, 8);
        int first, second;
        try (var pass = BufferPool.trainingPass()) {
            model.loss(x, x).backward();
            first = pass.handedOut();
        }
        assertThat(first).isPositive();
        long pooled = BufferPool.pooledFloats();
        assertThat(pooled).isPositive();
        try (var pass = BufferPool.trainingPass()) {
            model.loss(x, x).backward();
            second = pass.handedOut();
            assertThat(BufferPool.pooledFloats()).as("the second step draws on what the first gave back").isLessThan(pooled);
        }
        assertThat(second).isEqualTo(first);
        try (var pass = BufferPool.trainingPass(); var noGrad = dev.zerolm.autograd.GradMode.noGrad()) {
            model.forward(x);
            assertThat(pass.handedOut()).as("a no-grad pass recycles on its own terms").isZero();
        }
    }

    /**
     * STEPS AdamW steps on the batches lossOfNextBatch makes; recycle runs each in a training pass and hands the
     * applied gradients back to the pool.
     */
    private static float[] losses(List<Tensor> params, boolean recycle, java.util.function.Supplier<Tensor> lossOfNextBatch) {
        return losses(params, recycle, false, lossOfNextBatch);
    }

    private static float[] losses(List<Tensor> params, boolean recycle, boolean stepInBackward, java.util.function.Supplier<Tensor> lossOfNextBatch) {
        AdamW optimizer = new AdamW(ParamGroup.single(params, 0.01f), 3e-3f);
        if (stepInBackward) optimizer.stepInBackward();
        List<Float> out = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            if (recycle) optimizer.releaseGrads();
            else optimizer.zeroGrad();
            try (var pass = recycle ? BufferPool.trainingPass() : null) {
                Tensor loss = lossOfNextBatch.get();
                out.add(loss.item());
                loss.backward();
            }
            optimizer.step();
        }
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) a[i] = out.get(i);
        return a;
    }

    private static int[] tokens(Rng rng, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rng.nextInt(vocab);
        return t;
    }
}
