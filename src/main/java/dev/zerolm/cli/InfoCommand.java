package dev.zerolm.cli;

import dev.zerolm.models.hf.HfModelInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** `zerolm info`: what a Hugging Face model directory holds, without loading its weights. */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show a Hugging Face model directory: architecture, parameter count, dtypes, config, tokenizer.",
                "Example: zerolm info --model models/gpt2"})
public final class InfoCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "A Hugging Face model directory (config.json + model.safetensors).")
    Path model;

    @Override
    public Integer call() throws Exception {
        HfModelInfo info = HfModelInfo.read(model);
        System.out.printf("model         %s%n", info.dir());
        System.out.printf("architecture  %s (%s)%n", info.modelType(), info.architecture().isEmpty() ? "-" : info.architecture());
        System.out.printf("parameters    %,d%n", info.parameters());
        System.out.printf("tensors       %s; %,d bytes%n", info.tensorsByType().entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")), info.bytes());
        System.out.printf("config        %s%n", info.config());
        System.out.printf("tokenizer     %s%n", info.tokenizer());
        return 0;
    }
}
