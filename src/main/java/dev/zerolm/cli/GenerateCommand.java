package dev.zerolm.cli;

import dev.zerolm.generate.Generator;
import dev.zerolm.generate.SamplingConfig;
import dev.zerolm.models.CausalLM;
import dev.zerolm.models.hf.HfModel;
import dev.zerolm.tokenize.Tokenizer;
import dev.zerolm.train.Checkpoint;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** `zerolm generate`: continue a prompt with a trained model, streaming tokens as they come. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate text from a ZeroLM checkpoint or a Hugging Face model directory (gpt2, llama).",
                "Example: zerolm generate --checkpoint runs/brown-char/checkpoint --prompt \"The jury\" --max-new-tokens 200",
                "         zerolm generate --model models/gpt2 --prompt \"Hello\" --greedy"})
public final class GenerateCommand implements Callable<Integer> {

    /** Where the model comes from: exactly one of the two. */
    static final class Source {
        @Option(names = "--checkpoint", required = true, description = "A ZeroLM checkpoint directory (e.g. runs/pretrain/checkpoint or .../best).")
        Path checkpoint;

        @Option(names = "--model", required = true, description = "A Hugging Face model directory (config.json, model.safetensors, tokenizer files).")
        Path model;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--context", defaultValue = "2048",
            description = "Longest context of a Hugging Face rotary model (bounds the KV cache). Default: ${DEFAULT-VALUE}.")
    int context;

    @Option(names = "--prompt", defaultValue = "The ", description = "Text to continue. Default: \"${DEFAULT-VALUE}\".")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "200", description = "Tokens to generate. Default: ${DEFAULT-VALUE}.") int maxNewTokens;
    @Option(names = "--temperature", defaultValue = "0.8", description = "0 = greedy. Default: ${DEFAULT-VALUE}.") float temperature;
    @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens (0 = all).") int topK;
    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass (1 = off).") float topP;
    @Option(names = "--stop", description = "Stop when this string appears (repeatable).") List<String> stop;
    @Option(names = "--seed", defaultValue = "1337", description = "Sampling seed. Default: ${DEFAULT-VALUE}.") long seed;
    @Option(names = "--greedy", description = "Always take the most likely token (same as --temperature 0).") boolean greedy;

    @Override
    public Integer call() throws Exception {
        CausalLM model;
        Tokenizer tok;
        int[] promptIds;
        if (source.model != null) {
            HfModel hf = HfModel.load(source.model, context);
            model = hf.model();
            tok = hf.requireTokenizer();
            promptIds = hf.encodeWithSpecialTokens(prompt);
        } else {
            model = Checkpoint.loadModel(source.checkpoint);
            tok = Checkpoint.loadTokenizer(source.checkpoint);
            promptIds = tok.encode(prompt);
        }
        SamplingConfig cfg = new SamplingConfig(maxNewTokens, greedy ? 0f : temperature, topK, topP, stop, seed);
        System.out.print(prompt);
        System.out.flush();
        long t0 = System.nanoTime();
        new Generator(model, tok).generate(promptIds, cfg, text -> {
            System.out.print(text);
            System.out.flush();
        });
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.println();
        System.err.printf("[%.1f s]%n", s);
        return 0;
    }
}
