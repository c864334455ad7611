package dev.zerolm.finetune;

import dev.zerolm.models.Bert;
import dev.zerolm.models.BertConfig;
import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Small backbones and synthetic labelled sequences for fast fine-tuning tests. */
final class TinyModels {

    static final int VOCAB = 24;

    /** One example: token ids, and either one label (sequence task) or one per token. */
    record Example(int[] ids, int[] labels) {}

    private TinyModels() {}

    static GPT gpt(long seed) {
        return new GPT(GPTConfig.gpt2(VOCAB, 16, 2, 2, 16), new Rng(seed));
    }

    static Bert bert(long seed) {
        return new Bert(new BertConfig(VOCAB, 16, 2, 2, 32, "gelu", 16, 2, 1e-12f, 0f, 0f, 0, 0.02f), new Rng(seed));
    }

    /** Right-pads with id 0; labels pad with -100 for token tasks. */
    static Finetuner.Batch collate(List<Example> examples) {
        int B = examples.size(), T = 0;
        boolean token = examples.getFirst().labels().length > 1 || examples.getFirst().ids().length == 1;
        for (Example e : examples) T = Math.max(T, e.ids().length);
        int[] ids = new int[B * T], mask = new int[B * T], labels = new int[token ? B * T : B];
        Arrays.fill(labels, TaskModel.IGNORE_INDEX);
        for (int b = 0; b < B; b++) {
            Example e = examples.get(b);
            for (int t = 0; t < e.ids().length; t++) {
                ids[b * T + t] = e.ids()[t];
                mask[b * T + t] = 1;
                if (token) labels[b * T + t] = e.labels()[t];
            }
            if (!token) labels[b] = e.labels()[0];
        }
        return new Finetuner.Batch(IntTensor.of(ids, B, T), IntTensor.of(mask, B, T),
                token ? IntTensor.of(labels, B, T) : IntTensor.of(labels, B));
    }

    /** Sequences of random ids in [1, VOCAB), length 3..8; label 1 when token 7 occurs, else 0. */
    static List<Example> containsSeven(int n, long seed) {
        Rng rng = new Rng(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] ids = new int[3 + rng.nextInt(6)];
            boolean seven = i % 2 == 0;
            for (int t = 0; t < ids.length; t++) {
                do ids[t] = 1 + rng.nextInt(VOCAB - 1); while (ids[t] == 7);
            }
            if (seven) ids[rng.nextInt(ids.length)] = 7;
            out.add(new Example(ids, new int[] {seven ? 1 : 0}));
        }
        return out;
    }

    /** Token task: each token's label is its id modulo 3 (length 2..8). */
    static List<Example> idModThree(int n, long seed) {
        Rng rng = new Rng(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] ids = new int[2 + rng.nextInt(7)], labels = new int[ids.length];
            for (int t = 0; t < ids.length; t++) {
                ids[t] = 1 + rng.nextInt(VOCAB - 1);
                labels[t] = ids[t] % 3;
            }
            out.add(new Example(ids, labels));
        }
        return out;
    }

    static Finetuner<Example> finetuner(TaskModel model, List<String> labels, Finetuner.Config config) {
        return new Finetuner<>(model, labels, config, TinyModels::collate, e -> e.ids().length,
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    }
}
