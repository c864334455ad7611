package dev.zerolm.cli;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.finetune.FineTunedModel;
import dev.zerolm.finetune.TaskEncoder;
import dev.zerolm.tensor.IntTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** `zerolm predict`: run a fine-tuned model on text. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Label text with a model made by `zerolm finetune`.",
                "Example: zerolm predict --model runs/genre/model --text \"The jury said the election was conducted fairly.\""})
public final class PredictCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "A fine-tuned model directory (finetune's OUT/model).") Path model;
    @Option(names = "--text", required = true, description = "Text to label (repeatable). Tagging splits it on whitespace and tags a text longer than the model's input window by window; a classifier reads the first --max-length tokens.") List<String> texts;
    @Option(names = "--top", defaultValue = "3", description = "Labels to show per text with their probabilities. Default: ${DEFAULT-VALUE}.") int top;

    @Override
    public Integer call() throws Exception {
        run(System.out);
        return 0;
    }

    void run(PrintStream out) throws java.io.IOException {
        run(out, System.err);
    }

    /** Labels go to out, one line per text; notes (a text cut to fit the model) go to notes. */
    void run(PrintStream out, PrintStream notes) throws java.io.IOException {
        FineTunedModel m = FineTunedModel.load(model);
        TaskEncoder encoder = new TaskEncoder(m.tokenizer(), m.spec().maxLength(), TaskEncoder.LabelToken.parse(m.spec().labelToken()));
        try (var ignored = GradMode.noGrad()) {
            for (int t = 0; t < texts.size(); t++) {
                String text = texts.get(t);
                if (m.spec().task().equals("token")) {
                    out.println(tagWords(m, encoder, Arrays.asList(text.trim().split("\\s+")), "text " + (t + 1)));
                    continue;
                }
                int tokens = encoder.tokenCount(text);
                if (tokens > encoder.maxLength()) {
                    notes.printf(Locale.ROOT, "zerolm: note: text %d has %,d tokens; the model reads its first %d%n",
                            t + 1, tokens, encoder.maxLength());
                }
                int[] ids = encoder.text(text);
                float[] p = m.model().logits(IntTensor.of(ids, 1, ids.length), null).softmax(-1).toArray();   // (1, L)
                Integer[] order = new Integer[p.length];
                for (int i = 0; i < p.length; i++) order[i] = i;
                Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
                StringBuilder sb = new StringBuilder(m.labels().name(order[0]));
                sb.append("\t(");
                for (int k = 0; k < Math.min(top, p.length); k++) {
                    sb.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.3f", m.labels().name(order[k]), p[order[k]]));
                }
                out.println(sb.append(')'));
            }
        }
    }

    /** word/TAG for every word; a text longer than the model's input is tagged window by window (no left context at each window's start). */
    private static String tagWords(FineTunedModel m, TaskEncoder encoder, List<String> words, String source) {
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (TaskEncoder.Words w : encoder.wordWindows(words, source)) {
            int[] best = m.model().logits(encoder.wordsBatch(w)).argmax(-1, false).data();   // (1, T, L) -> (1, T)
            for (int i = 0; i < w.labelTokens().length; i++) {
                sb.append(sb.isEmpty() ? "" : " ").append(words.get(from + i)).append('/').append(m.labels().name(best[w.labelTokens()[i]]));
            }
            from += w.labelTokens().length;
        }
        return sb.toString();
    }
}
