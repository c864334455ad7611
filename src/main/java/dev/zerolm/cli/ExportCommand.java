package dev.zerolm.cli;

import dev.zerolm.models.GPT;
import dev.zerolm.models.hf.HuggingFaceGpt2;
import dev.zerolm.tokenize.Tokenizer;
import dev.zerolm.train.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `zerolm export`: a ZeroLM checkpoint as a Hugging Face GPT-2 directory that transformers loads unchanged. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a ZeroLM GPT checkpoint as a Hugging Face GPT-2 model directory.",
                "Example: zerolm export --checkpoint runs/brown-bpe/best --out models/brown-gpt2"})
public final class ExportCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "A ZeroLM checkpoint directory.")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "The Hugging Face directory to write (created if absent).")
    Path out;

    @Override
    public Integer call() throws Exception {
        GPT model = Checkpoint.loadModel(checkpoint);
        Tokenizer tokenizer = Checkpoint.loadTokenizer(checkpoint);
        HuggingFaceGpt2.save(model, tokenizer, out);
        System.out.printf("wrote %s: GPT-2 layout, %,d parameters, tokenizer %s%n", out, model.parameterCount(), tokenizer.kind());
        return 0;
    }
}
