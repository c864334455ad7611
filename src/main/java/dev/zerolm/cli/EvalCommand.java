package dev.zerolm.cli;

import dev.zerolm.models.Bert;
import dev.zerolm.models.hf.HfConfig;
import dev.zerolm.models.hf.HfModel;
import dev.zerolm.tokenize.WordPiece;
import dev.zerolm.train.MaskedLmEval;
import dev.zerolm.train.Perplexity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `zerolm eval`: loss and perplexity of a Hugging Face model on a text file. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Loss and perplexity of a Hugging Face model on a text file, in windows of its context:",
                "next-token loss for gpt2 and llama, masked-token loss (15% of tokens masked, seeded) for bert.",
                "Example: zerolm eval --model models/gpt2 --data notes.txt --context 256"})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "A Hugging Face model directory.")
    Path model;

    @Option(names = "--data", required = true, description = "A UTF-8 text file.")
    Path data;

    @Option(names = "--context", defaultValue = "0",
            description = "Tokens per window (default: the model's context, at most 2048).")
    int context;

    @Option(names = "--batch-size", defaultValue = "4", description = "Windows per forward pass. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--max-tokens", defaultValue = "0", description = "Evaluate only the first N tokens (0 = all).")
    int maxTokens;

    @Option(names = "--seed", defaultValue = "1337", description = "Seed of the masked positions (bert). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (HfConfig.read(model).modelType().equals("bert")) return evalMaskedLm();
        HfModel hf = HfModel.load(model, context > 0 ? context : 2048);
        int[] tokens = hf.encodeWithSpecialTokens(Files.readString(data, StandardCharsets.UTF_8));
        if (maxTokens > 0 && tokens.length > maxTokens) tokens = java.util.Arrays.copyOf(tokens, maxTokens);
        int window = context > 0 ? Math.min(context, hf.model().blockSize()) : hf.model().blockSize();
        long t0 = System.nanoTime();
        Perplexity.Result r = Perplexity.evaluate(hf.model(), tokens, window, batchSize);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("model       %s (%s)%n", model, hf.modelType());
        System.out.printf("data        %s: %,d tokens, %d window%s of up to %d%n", data, tokens.length, r.windows(),
                r.windows() == 1 ? "" : "s", r.context());
        System.out.printf("loss        %.4f nats/token%n", r.loss());
        System.out.printf("perplexity  %.3f%n", r.perplexity());
        System.out.printf("time        %.1f s (%,.0f tokens/s)%n", s, r.predictedTokens() / s);
        return 0;
    }

    private int evalMaskedLm() throws Exception {
        Bert bert = Bert.fromPretrained(model);
        WordPiece tokenizer = WordPiece.load(model);
        int maxContext = bert.config().maxPositionEmbeddings();
        int window = context > 0 ? Math.min(context, maxContext) : Math.min(512, maxContext);
        String text = Files.readString(data, StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        MaskedLmEval.Result r = MaskedLmEval.evaluate(bert, tokenizer, text, window, batchSize, seed);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("model       %s (bert, masked LM)%n", model);
        System.out.printf("data        %s: %d window%s of up to %d, %,d masked tokens (seed %d)%n", data, r.windows(),
                r.windows() == 1 ? "" : "s", r.context(), r.maskedTokens(), seed);
        System.out.printf("loss        %.4f nats/masked token%n", r.loss());
        System.out.printf("perplexity  %.3f (masked tokens)%n", r.perplexity());
        System.out.printf("accuracy    %.2f%% (top-1 on masked tokens)%n", 100 * r.accuracy());
        System.out.printf("time        %.1f s%n", s);
        return 0;
    }
}
